using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.Prompting;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Runs;

/// <summary>
/// A run's learning curves, measured after every epoch: accuracy on the few-shot val split with
/// its labels as given, on the test split every <c>testEvery</c> epochs (0: never), and with
/// synthetic noise the share of mislabeled training samples the prompt predicts as their wrong
/// given label (memorised noise) and as their true class. The clean labels are read here, for
/// these measurements only; training never sees them. One forward pass of the text side per epoch.
/// </summary>
public sealed class EpochCurves : IDisposable
{
    readonly IPromptModel learner;
    readonly Tensor? val, noisy, test;
    readonly long[] valLabels, givenLabels, trueLabels, testLabels;
    readonly int testEvery;

    public EpochCurves(IPromptModel learner, IImageFeatureSource source, FewShotSplit split, int testEvery)
    {
        this.learner = learner;
        this.testEvery = testEvery;
        string Full(string p) => Path.Combine(split.Root, p);
        valLabels = [.. split.Val.Select(i => (long)i.Label)];
        val = split.Val.Count > 0 ? source.Encode([.. split.Val.Select(i => Full(i.Path))]) : null;
        var wrong = split.Train.Where(i => i.IsCorrupted).ToList();
        givenLabels = [.. wrong.Select(i => (long)i.Label)];
        trueLabels = [.. wrong.Select(i => (long)i.CleanLabel)];
        noisy = wrong.Count > 0 ? source.Encode([.. wrong.Select(i => Full(i.Path))]) : null;
        testLabels = [.. split.Test.Select(i => (long)i.Label)];
        test = testEvery > 0 && split.Test.Count > 0 ? source.Encode([.. split.Test.Select(i => Full(i.Path))]) : null;
    }

    public EpochMetrics Observe(EpochMetrics m)
    {
        bool withTest = test is not null && (m.Epoch % testEvery == 0);
        var parts = new[] { val, noisy, withTest ? test : null }.Where(t => t is not null).Select(t => t!).ToList();
        if (parts.Count == 0) return m;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = learner.Forward(cat(parts, 0).to(learner.Trainable[0].Tensor.device)).Logits.cpu();
        long offset = 0;
        Tensor Next(Tensor part)
        {
            var rows = logits.narrow(0, offset, part.shape[0]);
            offset += part.shape[0];
            return rows;
        }
        if (val is not null) m = m with { ValAccuracy = TopOne.Percent(Next(val), valLabels) };
        if (noisy is not null)
        {
            var rows = Next(noisy);
            m = m with { NoisyAsGiven = TopOne.Percent(rows, givenLabels), NoisyAsTrue = TopOne.Percent(rows, trueLabels) };
        }
        if (withTest) m = m with { TestAccuracy = TopOne.Percent(Next(test!), testLabels) };
        return m;
    }

    public void Dispose()
    {
        val?.Dispose();
        noisy?.Dispose();
        test?.Dispose();
    }
}
