using System.Text.Json;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Text;

namespace Dspt.Runs;

/// <summary>
/// The second half of the base-to-new protocol for a run trained on the base classes: its saved
/// prompt applied to the new classes' test split (read again from the dataset, selected as
/// <see cref="ClassSubset"/> does), beside zero-shot CLIP, written as base-to-new.{md,json} in
/// the run folder. The prompt is reopened from the run folder, as <c>dspt eval --subsample new</c>
/// opens it, so both give the same numbers. A class-specific context cannot transfer: skipped
/// (null) with a status line.
/// </summary>
public static class NewClassEvaluation
{
    public const string MarkdownFile = "base-to-new.md", JsonFile = "base-to-new.json";

    /// <param name="baseResults">The run's own test evaluation on the base classes (zero-shot, learned).</param>
    public static (EvaluationResult ZeroShot, EvaluationResult Learned)? Run(RunFolder folder, RunSpec spec, FewShotSplit split, ClipModel clip,
        string modelSha256, ClipTokenizer tokenizer, IImageFeatureSource source, (EvaluationResult ZeroShot, EvaluationResult Learned) baseResults,
        string learnedName, Action<string>? status)
    {
        if (spec.ClassesName != "base") return null;
        if (spec.Prompt.ClassSpecific)
        {
            status?.Invoke("base-to-new: a class-specific context (--csc) cannot be applied to the new classes; no new-class evaluation");
            return null;
        }
        var all = DatasetReader.Read(spec.Dataset, spec.DatasetFormat, spec.ReadingOptions());
        var baseNames = ClassSubset.Select(all, ClassSelection.Base).ClassNames;
        if (!baseNames.SequenceEqual(split.ClassNames))
            throw new InvalidInputException($"{spec.Dataset}: its base classes are now {string.Join(", ", baseNames.Take(5))}..., the run trained on {string.Join(", ", split.ClassNames.Take(5))}...; the dataset changed since the run started");
        var data = ClassSubset.Select(all, ClassSelection.New);
        if (data.Test.Count == 0) throw new InvalidInputException($"{spec.Dataset}: the test split of the new classes is empty");
        status?.Invoke($"base-to-new: evaluating on {data.Test.Count} test images of the {data.NumClasses} new classes");
        var (tensors, info) = PromptFile.Read(folder.Path);
        try
        {
            using var learner = PromptFile.CreateModel(tensors, info, clip, modelSha256, tokenizer, source: folder.Path, classNames: data.ClassNames);
            using var features = source.Encode([.. data.Test.Select(i => Path.Combine(data.Root, i.Path))]);
            var result = PromptEvaluation.Run(clip, tokenizer, learner, data.ClassNames, learnedName, data.Template, features,
                [.. data.Test.Select(i => (long)i.Label)]);
            var rows = new[]
            {
                new BaseToNewResult(PromptEvaluation.ZeroShotName, baseResults.ZeroShot.Accuracy, result.ZeroShot.Accuracy),
                new BaseToNewResult(learnedName, baseResults.Learned.Accuracy, result.Learned.Accuracy),
            };
            AtomicFile.WriteAllText(Path.Combine(folder.Path, MarkdownFile), BaseToNew.ToMarkdown(rows, PromptEvaluation.Note(data.Template)));
            AtomicFile.WriteAllText(Path.Combine(folder.Path, JsonFile),
                JsonSerializer.Serialize(rows.Select(r => new { name = r.Name, @base = r.Base, @new = r.New, hm = r.HarmonicMean }),
                    new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return result;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
