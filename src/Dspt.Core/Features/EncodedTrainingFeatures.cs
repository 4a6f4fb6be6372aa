using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>
/// Training features computed by running the image encoder for every batch, as CoOp does. Slow;
/// it exists as the reference that the cached path (<see cref="CachedTrainingFeatures"/>) must
/// reproduce exactly.
/// </summary>
public sealed class EncodedTrainingFeatures(ImageFeatureExtractor extractor, IReadOnlyList<string> paths, int augmentedViews, long seed)
    : ITrainingFeatures
{
    public int Count => paths.Count;
    public int Views => Math.Max(1, augmentedViews);

    public Tensor Gather(IReadOnlyList<int> indices, IReadOnlyList<int> views, Device device)
    {
        var batchPaths = indices.Select(i => paths[i]).ToList();
        var keys = indices.Select((i, j) => extractor.Key(paths[i], augmentedViews == 0 ? 0 : views[j] + 1, seed)).ToList();
        using var scope = NewDisposeScope();
        return extractor.EncodeUncached(batchPaths, keys).to(device).MoveToOuterDisposeScope();
    }
}
