using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>
/// Where a run's image features come from: image files through the encoder and the feature
/// cache (<see cref="FileFeatureSource"/>), or the built-in world's rendered splits
/// (<see cref="WorldFeatureSource"/>). One source may serve many runs on the same model and
/// dataset, so each image is encoded once per process.
/// </summary>
public interface IImageFeatureSource
{
    /// <summary>(N, V, D) float32 CPU training features: the test view only (V = 1) without augmentation, else views 1..V.</summary>
    Tensor TrainingViews(IReadOnlyList<string> paths, int augmentedViews, long seed);

    /// <summary>(N, D) float32 CPU features of the test view.</summary>
    Tensor Encode(IReadOnlyList<string> paths);
}
