using static TorchSharp.torch;

namespace Dspt.Losses;

/// <summary>
/// A classification loss over prompt logits. Notation in the implementations' docs: z = logits
/// (B, C), p = softmax(z), y = the given (possibly wrong) label, e_y its one-hot vector.
/// </summary>
public interface IPromptLoss
{
    /// <summary>The name <see cref="LossRegistry.Create"/> accepts to build this exact loss.</summary>
    string Name { get; }

    /// <summary>Unreduced loss (B) of logits (B, C) and int64 labels (B); the caller takes the mean.</summary>
    Tensor PerSample(Tensor logits, Tensor labels);
}
