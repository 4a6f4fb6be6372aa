using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Losses;

/// <summary>
/// Generalized cross-entropy, <c>(1 - p_y^q) / q</c> (q -> 0: CE; q = 1: MAE 1 - p_y). PTNL uses
/// q = 0.5; 0.7 is the common default.
/// Gradient: dp_y/dz = p_y (e_y - p), so dL/dz = p_y^q (p - e_y): CE's gradient weighted by
/// p_y^q, which suppresses samples the model finds unlikely for their label.
/// </summary>
public sealed class GceLoss : IPromptLoss
{
    public const double DefaultQ = 0.7;

    public GceLoss(double q = DefaultQ)
    {
        if (!(q > 0 && q <= 1)) throw new InvalidInputException($"GCE exponent q = {q}, expected 0 < q <= 1");
        Q = q;
    }

    public double Q { get; }

    public string Name => Q == DefaultQ ? "gce" : FormattableString.Invariant($"gce:{Q}");

    public Tensor PerSample(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        // p_y^q = exp(q log p_y) stays finite and accurate where p_y underflows.
        var logPy = logits.log_softmax(1).gather(1, labels.unsqueeze(1)).squeeze(1);
        using var q = Q.ToScalar();
        return logPy.mul(q).exp().SubtractedFrom(NativeScalars.One).div(q).MoveToOuterDisposeScope();
    }
}
