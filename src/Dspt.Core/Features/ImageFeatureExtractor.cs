using Dspt.Clip;
using Dspt.IO;
using Dspt.Imaging;
using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>
/// Runs the frozen image encoder once per (image, view) and keeps the result in an
/// <see cref="ImageFeatureCache"/>. View 0 is CLIP's test transform; view v &gt;= 1 is CoOp's train
/// augmentation (random resized crop + flip) drawn from a random stream seeded by (seed, image
/// content, v), so a view's pixels do not depend on the order, batching or caching of anything
/// else. Images are encoded one at a time: a batched matmul may round differently from a single
/// one, and a feature must not depend on which other images happened to be missing from the cache.
/// </summary>
public sealed class ImageFeatureExtractor(ClipModel clip, string modelSha256, ImageFeatureCache cache, Device? device = null)
{
    readonly Dictionary<string, string> contentHashes = new(StringComparer.Ordinal);
    readonly ClipTransform test = new(clip.Config.ImageResolution);
    readonly TrainAugmentation augmentation = new(clip.Config.ImageResolution);
    readonly Device device = device ?? CPU;

    /// <summary>Called with (done, total) while images are being encoded.</summary>
    public Action<int, int>? Progress { get; set; }

    public ImageFeatureCache Cache => cache;

    public FeatureKey Key(string path, int view, long augmentationSeed)
    {
        if (!contentHashes.TryGetValue(path, out var hash))
            contentHashes[path] = hash = ContentHash.OfFile(path);
        return new FeatureKey(modelSha256, hash, view, augmentationSeed);
    }

    /// <summary>(N, D) float32 CPU features of one view of every image.</summary>
    public Tensor Encode(IReadOnlyList<string> paths, int view, long augmentationSeed)
    {
        var keys = paths.Select(p => Key(p, view, augmentationSeed)).ToList();
        return cache.GetOrCompute(keys, missing => EncodeUncached([.. missing.Select(i => paths[i])], [.. missing.Select(i => keys[i])]));
    }

    /// <summary>
    /// (N, V, D) training features: the test view only (V = 1) when <paramref name="augmentedViews"/>
    /// is 0, else augmented views 1..V.
    /// </summary>
    public Tensor TrainingViews(IReadOnlyList<string> paths, int augmentedViews, long seed)
    {
        using var scope = NewDisposeScope();
        var views = augmentedViews == 0 ? [0] : Enumerable.Range(1, augmentedViews).ToArray();
        if (paths.Count == 0) return zeros(0, views.Length, clip.Config.EmbedDim).MoveToOuterDisposeScope();
        // All views in one request, view-major, so progress counts every (image, view) against one total.
        var all = views.SelectMany(v => paths.Select(p => (path: p, key: Key(p, v, seed)))).ToList();
        var features = cache.GetOrCompute([.. all.Select(a => a.key)],
            missing => EncodeUncached([.. missing.Select(i => all[i].path)], [.. missing.Select(i => all[i].key)]));
        return features.reshape(views.Length, paths.Count, -1).transpose(0, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Runs the encoder on the images of <paramref name="keys"/> (no cache): (N, D) float32 CPU.</summary>
    public Tensor EncodeUncached(IReadOnlyList<string> paths, IReadOnlyList<FeatureKey> keys)
    {
        const int chunk = 32;
        var rows = new List<Tensor>(paths.Count);
        try
        {
            for (int start = 0; start < paths.Count; start += chunk)
            {
                int count = Math.Min(chunk, paths.Count - start);
                // Decoding and resizing are pure C# and independent per image: spread them over the cores.
                var pixels = new PixelImage[count];
                Parallel.For(0, count, i => pixels[i] = Preprocess(paths[start + i], keys[start + i]));
                using var _ = no_grad();
                for (int i = 0; i < count; i++)
                {
                    using var scope = NewDisposeScope();
                    var image = ClipNormalization.ToTensor(pixels[i]).unsqueeze(0).to(device);
                    rows.Add(clip.EncodeImage(image).to(ScalarType.Float32).cpu().squeeze(0).MoveToOuterDisposeScope());
                }
                Progress?.Invoke(start + count, paths.Count);
            }
            return paths.Count == 0 ? zeros(0, clip.Config.EmbedDim) : stack(rows, 0);
        }
        finally
        {
            foreach (var r in rows) r.Dispose();
        }
    }

    PixelImage Preprocess(string path, FeatureKey key)
    {
        var image = ImageDecoder.Decode(path);
        return key.View == 0 ? test.CropRgb(image) : augmentation.ApplyRgb(image, key.AugmentationRandom());
    }
}
