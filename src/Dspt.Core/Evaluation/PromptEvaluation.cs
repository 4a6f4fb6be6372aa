using Dspt.Clip;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Evaluation;

/// <summary>
/// A learned prompt next to its reference: zero-shot CLIP with the dataset's template
/// (CoOp's ZeroshotCLIP), both scored on the same image features.
/// </summary>
public static class PromptEvaluation
{
    public const string ZeroShotName = "zero-shot CLIP";

    /// <summary>The line evaluation reports carry under their title.</summary>
    public static string Note(string template) => $"Zero-shot CLIP classifies with the template \"{template}\".";

    /// <param name="features">(N, D) test-view image features.</param>
    public static (EvaluationResult ZeroShot, EvaluationResult Learned) Run(ClipModel clip, ClipTokenizer tokenizer,
        PromptLearner learner, string learnedName, string template, Tensor features, IReadOnlyList<long> labels)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = learner.Context.device;
        var x = features.to(device);
        var text = CoOpPrompts.ZeroShotFeatures(clip, tokenizer, learner.ClassNames, template, device);
        var zeroShot = Evaluator.FromLogits(ZeroShotName, clip.Logits(x, text), labels, learner.ClassNames);
        var learned = Evaluator.FromLogits(learnedName, learner.Logits(x), labels, learner.ClassNames);
        return (zeroShot, learned);
    }

    /// <summary>
    /// Any learner beside zero-shot CLIP on the same features, scored
    /// <see cref="IPromptModel.InferenceBatch"/> images at a time (per-image prompts are costly).
    /// </summary>
    /// <param name="features">(N, D) test-view image features.</param>
    public static (EvaluationResult ZeroShot, EvaluationResult Learned) Run(ClipModel clip, ClipTokenizer tokenizer,
        IPromptModel model, IReadOnlyList<string> classNames, string learnedName, string template, Tensor features, IReadOnlyList<long> labels)
    {
        var (zeroShot, learned, logits) = Score(clip, tokenizer, model, classNames, learnedName, template, features, labels);
        logits.Dispose();
        return (zeroShot, learned);
    }

    /// <summary>As <see cref="Run(ClipModel, ClipTokenizer, IPromptModel, IReadOnlyList{string}, string, string, Tensor, IReadOnlyList{long})"/>,
    /// also returning the learner's (N, K) logits (CPU, float32; the caller disposes them) for per-image predictions.</summary>
    public static (EvaluationResult ZeroShot, EvaluationResult Learned, Tensor LearnedLogits) Score(ClipModel clip, ClipTokenizer tokenizer,
        IPromptModel model, IReadOnlyList<string> classNames, string learnedName, string template, Tensor features, IReadOnlyList<long> labels)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (zeroShot, _) = ZeroShot(clip, tokenizer, classNames, template, features, labels, keepLogits: false);
        var logits = LearnedLogits(model, features);
        var learned = Evaluator.FromLogits(learnedName, logits, labels, classNames);
        return (zeroShot, learned, logits.MoveToOuterDisposeScope());
    }

    /// <summary>Zero-shot CLIP with <paramref name="template"/> alone (`dspt eval --zero-shot`): its result and (N, K) logits (CPU, float32; the caller disposes them).</summary>
    public static (EvaluationResult Result, Tensor? Logits) ZeroShot(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames,
        string template, Tensor features, IReadOnlyList<long> labels, bool keepLogits = true)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = clip.TextProjection.device;
        var text = clip.EncodeText(CoOpPrompts.ZeroShot(tokenizer, classNames, template, clip.Config.ContextLength).to(device));
        var logits = clip.Logits(features.to(device).to(text.dtype), text).to(ScalarType.Float32).cpu();
        var result = Evaluator.FromLogits(ZeroShotName, logits, labels, classNames);
        return (result, keepLogits ? logits.MoveToOuterDisposeScope() : null);
    }

    /// <summary>A learner's (N, K) logits (CPU, float32) for (N, D) features, <see cref="IPromptModel.InferenceBatch"/> rows at a time.</summary>
    public static Tensor LearnedLogits(IPromptModel model, Tensor features)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = model.Trainable[0].Tensor.device;
        var x = features.to(device);
        var rows = Enumerable.Range(0, (int)x.shape[0]).ToArray();
        var logits = cat([.. Training.Batching.Chunks(rows, model.InferenceBatch).Select(c => model.Forward(x.narrow(0, c[0], c.Length)).Logits)], 0);
        return logits.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }
}
