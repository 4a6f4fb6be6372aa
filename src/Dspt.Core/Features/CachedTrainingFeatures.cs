using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>Precomputed training features (N, V, D), kept on the training device.</summary>
public sealed class CachedTrainingFeatures : ITrainingFeatures, IDisposable
{
    readonly Tensor features;

    /// <param name="features">(N, D) for a single view or (N, V, D); copied to <paramref name="device"/>.</param>
    public CachedTrainingFeatures(Tensor features, Device? device = null)
    {
        if (features.dim() is not (2 or 3))
            throw new ArgumentException($"features must be (N, D) or (N, V, D), got [{string.Join(", ", features.shape)}]", nameof(features));
        using var scope = NewDisposeScope();
        var views = features.dim() == 2 ? features.unsqueeze(1) : features;
        this.features = views.to(ScalarType.Float32).to(device ?? CPU).contiguous().MoveToOuterDisposeScope();
    }

    public int Count => (int)features.shape[0];
    public int Views => (int)features.shape[1];
    public long Dim => features.shape[2];

    public Tensor Gather(IReadOnlyList<int> indices, IReadOnlyList<int> views, Device device)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(indices.Select(i => (long)i).ToArray(), device: features.device);
        var cols = tensor(views.Select(v => (long)v).ToArray(), device: features.device);
        return features[rows, cols].to(device).MoveToOuterDisposeScope();
    }

    public void Dispose() => features.Dispose();
}
