using static TorchSharp.torch;

namespace Dspt.Losses;

/// <summary>
/// CoOp's cross-entropy, <c>-log p_y</c>.
/// Gradient: dL/dz = p - e_y. Its norm grows to sqrt(2) as a sample becomes confidently
/// wrong (p_y -> 0, mass on one other class): mislabeled samples teach the hardest.
/// </summary>
public sealed class CrossEntropyLoss : IPromptLoss
{
    public string Name => "ce";

    public Tensor PerSample(Tensor logits, Tensor labels) =>
        nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
}
