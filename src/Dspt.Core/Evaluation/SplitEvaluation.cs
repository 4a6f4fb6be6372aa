using Dspt.Clip;
using Dspt.Data;
using Dspt.Features;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Evaluation;

/// <summary>
/// `dspt eval` on one split of one class selection: zero-shot CLIP with the dataset's template,
/// and a saved prompt beside it unless there is none (`--zero-shot`); per-image predictions of
/// the last row (the prompt's, or zero-shot's alone).
/// </summary>
public sealed record SplitScores(IReadOnlyList<EvaluationResult> Rows, IReadOnlyList<Prediction> Predictions);

public static class SplitEvaluation
{
    public static readonly IReadOnlyList<string> Splits = ["test", "val", "train"];

    /// <summary>The items of split <paramref name="split"/> (test, val or train); an error naming the dataset if it is empty.</summary>
    public static IReadOnlyList<DataItem> Items(Dataset data, string split, string source, string classes = "all")
    {
        var items = split switch
        {
            "test" => data.Test,
            "val" => data.Val,
            "train" => data.Train,
            _ => throw new InvalidInputException($"--split {split}: expected {string.Join(", ", Splits)}"),
        };
        if (items.Count == 0) throw new InvalidInputException($"{source}: the {split} split of the {classes} classes is empty");
        return items;
    }

    /// <param name="dataset">the dataset's address (a path, or builtin:TASK: its images are rendered, not read)</param>
    /// <param name="prompt">the saved prompt's learner for <paramref name="data"/>'s classes; null: zero-shot CLIP alone</param>
    public static SplitScores Run(ClipModel clip, string modelSha256, ClipTokenizer tokenizer, IPromptModel? prompt, string promptName,
        string dataset, Dataset data, IReadOnlyList<DataItem> items, ImageFeatureCache cache, Device device, Action<string>? status = null)
    {
        var source = FeatureSources.For(dataset, clip, modelSha256, cache, device, status, new DatasetRoot(data.Root));
        using var owned = source as IDisposable;
        using var features = source.Encode([.. items.Select(i => Path.Combine(data.Root, i.Path))]);
        var labels = items.Select(i => (long)i.Label).ToList();
        if (prompt is null)
        {
            var (zeroShot, logits) = PromptEvaluation.ZeroShot(clip, tokenizer, data.ClassNames, data.Template, features, labels);
            using (logits) return new SplitScores([zeroShot], Predictions.ForItems(logits!, items, dataset));
        }
        var (zs, learned, learnedLogits) = PromptEvaluation.Score(clip, tokenizer, prompt, data.ClassNames, promptName, data.Template, features, labels);
        using (learnedLogits) return new SplitScores([zs, learned], Predictions.ForItems(learnedLogits, items, dataset));
    }
}
