using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Losses;

/// <summary>
/// Mean absolute error between softmax and one-hot, <c>scale * (1 - p_y)</c>.
/// Scale 1 (default) is NLPrompt's PromptMAE as method.md defines it (half the L1 distance, the
/// values of method.md's gradient table); scale 2 is the full L1 distance
/// <c>|e_y - p|_1 = 2 (1 - p_y)</c> (the coop-prompt fixture's MAE, "mae:2").
/// Gradient: dL/dz = scale * p_y (p - e_y): CE's gradient weighted by p_y, vanishing for
/// confidently mislabeled samples.
/// </summary>
public sealed class MaeLoss : IPromptLoss
{
    public MaeLoss(double scale = 1)
    {
        if (!(scale > 0 && double.IsFinite(scale))) throw new InvalidInputException($"MAE scale = {scale}, expected a positive number");
        Scale = scale;
    }

    public double Scale { get; }

    public string Name => Scale == 1 ? "mae" : FormattableString.Invariant($"mae:{Scale}");

    public Tensor PerSample(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var py = softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
        using var scale = Scale.ToScalar();
        return py.SubtractedFrom(NativeScalars.One).mul(scale).MoveToOuterDisposeScope();
    }
}
