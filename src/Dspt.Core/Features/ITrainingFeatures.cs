using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>
/// The image side of training: N samples with <see cref="Views"/> training views each (1 without
/// augmentation). The trainer only ever asks for features, so whether they come from a cache or
/// from running the image encoder cannot change the result.
/// </summary>
public interface ITrainingFeatures
{
    int Count { get; }
    int Views { get; }

    /// <summary>Features (B, D) of samples <paramref name="indices"/>, view <paramref name="views"/>[i] of sample i.</summary>
    Tensor Gather(IReadOnlyList<int> indices, IReadOnlyList<int> views, Device device);
}
