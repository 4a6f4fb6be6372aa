using Dspt.Objectives;
using Dspt.Suspects;
using static TorchSharp.torch;

namespace Dspt.Tests.Suspects;

public class OtDisagreementTests
{
    [Fact]
    public void Disagrees_exactly_where_NLPrompt_would_train_a_sample_as_noisy()
    {
        var random = new Random(3);
        int n = 40, k = 4;
        var probs = new double[n][];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            var logits = Enumerable.Range(0, k).Select(_ => 3 * random.NextDouble()).ToArray();
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            probs[i] = [.. logits.Select(l => Math.Exp(l - max) / sum)];
            labels[i] = random.Next(k);
        }
        var ot = OtDisagreement.Compute(probs, labels);
        // NLPrompt's selection on logits ln p: its softmax gives back p.
        using var logitsTensor = tensor(probs.SelectMany(p => p.Select(v => Math.Log(v))).ToArray(), [n, k], ScalarType.Float64);
        var clean = NLPromptObjective.Select(logitsTensor, [.. labels.Select(l => (long)l)]);
        Assert.Equal(clean, Enumerable.Range(0, n).Select(i => ot.PseudoLabels[i] == labels[i]).ToArray());
        Assert.Contains(clean, c => !c);
        Assert.Contains(clean, c => c);
        Assert.All(ot.GivenShare, s => Assert.InRange(s, 0, 1));
        // The pseudo-label is the row's argmax, so a disagreeing sample has at most half its row on the given label.
        for (int i = 0; i < n; i++)
            if (!clean[i]) Assert.True(ot.GivenShare[i] <= 0.5 + 1e-12, $"sample {i}: {ot.GivenShare[i]}");
    }
}
