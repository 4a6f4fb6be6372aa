using Dspt.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Suspects;

/// <summary>
/// NLPrompt's PromptOT split (<see cref="NLPromptObjective.Select"/>) applied to held-out
/// probabilities instead of a training epoch's: cost -log_softmax(P0) over classes, entropic OT
/// to balanced classes (<see cref="Sinkhorn"/>), the pseudo-label is the argmax of the plan's row.
/// A sample whose pseudo-label is not its given label is one NLPrompt would train with MAE as
/// noisy. <see cref="Result.GivenShare"/> is the plan's mass on the given label relative to the
/// row (in [0, 1]; low = suspicious), a continuous version of the same decision for ranking.
/// </summary>
public static class OtDisagreement
{
    // Kept for the process: a temporary Scalar handed to native code can be finalized mid-call (docs/native-scalars.md).
    static readonly Scalar TinyMass = 1e-300;

    public sealed record Result(int[] PseudoLabels, double[] GivenShare);

    public static Result Compute(IReadOnlyList<double[]> probs, IReadOnlyList<int> labels, double regularisation = NLPromptObjective.DefaultRegularisation)
    {
        int n = probs.Count, k = probs[0].Length;
        using var scope = NewDisposeScope();
        var flat = new double[n * k];
        for (int i = 0; i < n; i++) probs[i].CopyTo(flat, i * k);
        // NLPrompt's P0 is softmax(logits): the probabilities themselves.
        var p0 = tensor(flat, [n, k], ScalarType.Float64);
        using var ot = Sinkhorn.Solve(nn.functional.log_softmax(p0, 1).neg(), regularisation);
        var pseudo = ot.Plan.argmax(1).data<long>().Select(v => (int)v).ToArray();
        var rowShare = ot.Plan.div(ot.Plan.sum(1, keepdim: true).clamp_min(TinyMass));
        var share = rowShare.data<double>().ToArray();
        return new Result(pseudo, [.. Enumerable.Range(0, n).Select(i => share[i * k + labels[i]])]);
    }
}
