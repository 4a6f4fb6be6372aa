using Dspt.Clip;
using Dspt.Features;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Text;
using Dspt.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Suspects;

/// <summary>How every prompt of a suspects run is made and trained: the same settings for every fold.</summary>
/// <param name="Learner">The learner's registry name (<see cref="LearnerRegistry"/>).</param>
/// <param name="Template">The dataset's template: KgCoOp's hand-crafted prompts.</param>
public sealed record PromptSetup(ClipModel Clip, ClipTokenizer Tokenizer, IReadOnlyList<string> ClassNames, PromptOptions Options,
    TrainConfig Train, string Objective, int Seed, Device Device, string Learner = "coop", string Template = "a photo of a {}.");

/// <summary>
/// Trains prompts and turns their logits into probabilities for scoring: out of sample by
/// cross-fitting (<see cref="CrossFit"/>), in sample on everything (<see cref="InSample"/>),
/// and zero-shot CLIP's (<see cref="ZeroShot"/>). Probabilities are softmax of the float32
/// logits computed in float64, one row per sample.
/// </summary>
public static class PromptScorer
{
    /// <summary>Called when fold f's training starts (f = -1: training on every sample).</summary>
    public delegate void FoldStarted(int fold, int trainCount, int heldOutCount);

    /// <summary>
    /// For each fold f: a fresh prompt trained on the samples of the other folds only, then the
    /// samples of fold f scored with it. Every sample is scored exactly once, by the one prompt
    /// whose training set excluded it.
    /// </summary>
    /// <param name="trainViews">every sample's training views; a fold trains on a subset of them</param>
    /// <param name="scoring">(N, D) features of the test view, what held-out samples are scored on</param>
    public static double[][] CrossFit(PromptSetup setup, ITrainingFeatures trainViews, Tensor scoring, IReadOnlyList<int> labels, int[] folds,
        FoldStarted? started = null, ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        if (folds.Length != labels.Count || trainViews.Count != labels.Count || scoring.shape[0] != labels.Count)
            throw new ArgumentException($"{labels.Count} labels, {folds.Length} fold numbers, {trainViews.Count} training rows and {scoring.shape[0]} scoring rows must agree");
        var probs = new double[labels.Count][];
        foreach (int f in folds.Distinct().Order())
        {
            var trainOn = Enumerable.Range(0, labels.Count).Where(i => folds[i] != f).ToArray();
            var heldOut = Enumerable.Range(0, labels.Count).Where(i => folds[i] == f).ToArray();
            started?.Invoke(f, trainOn.Length, heldOut.Length);
            using var learner = Train(setup, new SubsetFeatures(trainViews, trainOn), [.. trainOn.Select(i => (long)labels[i])], setup.Objective, progress, cancellation);
            var rows = Probabilities(learner, scoring, heldOut);
            for (int r = 0; r < heldOut.Length; r++) probs[heldOut[r]] = rows[r];
        }
        return probs;
    }

    /// <summary>A prompt trained on every sample with <paramref name="objective"/>, scoring those same samples.</summary>
    public static double[][] InSample(PromptSetup setup, ITrainingFeatures trainViews, Tensor scoring, IReadOnlyList<int> labels, string objective,
        FoldStarted? started = null, ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        started?.Invoke(-1, labels.Count, labels.Count);
        using var learner = Train(setup, trainViews, [.. labels.Select(l => (long)l)], objective, progress, cancellation);
        return Probabilities(learner, scoring, [.. Enumerable.Range(0, labels.Count)]);
    }

    /// <summary>A saved prompt's probabilities on the samples (in sample when it was trained on them).</summary>
    public static double[][] Saved(IPromptModel learner, Tensor scoring) =>
        Probabilities(learner, scoring, [.. Enumerable.Range(0, (int)scoring.shape[0])]);

    /// <summary>Zero-shot CLIP with the template filled with each class name.</summary>
    public static double[][] ZeroShot(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, string template, Tensor scoring, Device device)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var text = clip.EncodeText(CoOpPrompts.ZeroShot(tokenizer, classNames, template, clip.Config.ContextLength).to(device));
        var parts = Batching.Chunks([.. Enumerable.Range(0, (int)scoring.shape[0])], 512)
            .Select(c => clip.Logits(scoring.index_select(0, tensor(c.Select(i => (long)i).ToArray())).to(device), text)).ToList();
        return Rows(cat(parts, 0));
    }

    /// <summary>A fresh learner trained through the runs' shared learner-and-trainer step (no checkpoints: folds are cheap to redo).</summary>
    static IPromptModel Train(PromptSetup setup, ITrainingFeatures features, long[] labels, string objective, ITrainingProgress? progress, CancellationToken cancellation)
    {
        var learner = PromptTraining.CreateLearner(setup.Clip, setup.Tokenizer, setup.ClassNames, setup.Options, setup.Seed, setup.Device,
            setup.Learner, setup.Template);
        try
        {
            PromptTraining.Train(learner, setup.Train, objective, fingerprint: "suspects", features, labels, progress: progress, cancellation: cancellation);
            return learner;
        }
        catch
        {
            learner.Dispose();
            throw;
        }
    }

    static double[][] Probabilities(IPromptModel learner, Tensor scoring, int[] indices)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var parts = Batching.Chunks(indices, 512)
            .Select(c => learner.Forward(scoring.index_select(0, tensor(c.Select(i => (long)i).ToArray())).to(learner.Trainable[0].Tensor.device)).Logits).ToList();
        return Rows(cat(parts, 0));
    }

    static double[][] Rows(Tensor logits)
    {
        using var p = softmax(logits.to(ScalarType.Float64), 1).cpu();
        int n = (int)p.shape[0], k = (int)p.shape[1];
        var flat = p.data<double>().ToArray();
        return [.. Enumerable.Range(0, n).Select(i => flat.AsSpan(i * k, k).ToArray())];
    }
}
