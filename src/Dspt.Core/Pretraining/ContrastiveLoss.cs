using static TorchSharp.torch;

namespace Dspt.Pretraining;

/// <summary>
/// CLIP's symmetric InfoNCE: the i-th image and i-th caption are the positive pair; cross-entropy
/// over the batch in both directions, averaged.
/// </summary>
public static class ContrastiveLoss
{
    public static Tensor Compute(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale)
    {
        using var scope = NewDisposeScope();
        var img = imageFeatures / imageFeatures.norm(dim: 1, keepdim: true);
        var txt = textFeatures / textFeatures.norm(dim: 1, keepdim: true);
        var logits = logitScale.exp() * img.matmul(txt.t());
        var target = arange(logits.shape[0], device: logits.device);
        var loss = (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.t(), target)) / 2;
        return loss.MoveToOuterDisposeScope();
    }
}
