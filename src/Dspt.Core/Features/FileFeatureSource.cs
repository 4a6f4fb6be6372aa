using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>Image files, encoded one at a time by <see cref="ImageFeatureExtractor"/> through its cache.</summary>
public sealed class FileFeatureSource(ImageFeatureExtractor extractor) : IImageFeatureSource
{
    public ImageFeatureExtractor Extractor => extractor;

    public Tensor TrainingViews(IReadOnlyList<string> paths, int augmentedViews, long seed) => extractor.TrainingViews(paths, augmentedViews, seed);

    public Tensor Encode(IReadOnlyList<string> paths) => extractor.Encode(paths, view: 0, augmentationSeed: 0);
}
