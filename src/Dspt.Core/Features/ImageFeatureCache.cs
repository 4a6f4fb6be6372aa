using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>
/// Image features by <see cref="FeatureKey"/>, in memory and optionally on disk (one safetensors
/// file per key under <c>dir/ab/abcdef....safetensors</c>, written atomically). The frozen image
/// encoder is deterministic, so a cached feature is exactly the feature that would be computed
/// again; caching changes speed, never results. Values are kept as float32 on the CPU.
/// </summary>
public sealed class ImageFeatureCache
{
    const string TensorName = "feature";
    readonly Dictionary<string, float[]> memory = new(StringComparer.Ordinal);

    public ImageFeatureCache(string? directory = null) => Directory = directory;

    /// <summary>Null: memory only.</summary>
    public string? Directory { get; }
    public int MemoryHits { get; private set; }
    public int DiskHits { get; private set; }
    public int Misses { get; private set; }

    /// <summary>~/.cache/dspt/features (XDG_CACHE_HOME respected).</summary>
    public static string DefaultDirectory()
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "dspt", "features");
    }

    public string PathFor(FeatureKey key) =>
        Path.Combine(Directory ?? throw new InvalidOperationException("memory-only cache has no files"), key.Digest[..2], key.Digest + ".safetensors");

    public bool TryGet(FeatureKey key, out float[] feature)
    {
        if (memory.TryGetValue(key.Digest, out feature!)) { MemoryHits++; return true; }
        if (Directory is not null && File.Exists(PathFor(key)))
        {
            feature = ReadFile(PathFor(key));
            memory[key.Digest] = feature;
            DiskHits++;
            return true;
        }
        feature = [];
        return false;
    }

    public void Put(FeatureKey key, float[] feature)
    {
        memory[key.Digest] = feature;
        if (Directory is null) return;
        using var t = tensor(feature);
        Safetensors.Save(PathFor(key), new Dictionary<string, Tensor> { [TensorName] = t }, new Dictionary<string, string>
        {
            ["model"] = key.ModelHash,
            ["content"] = key.ContentHash,
            ["view"] = key.View.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["augmentation_seed"] = key.AugmentationSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>
    /// The features of <paramref name="keys"/> as an (N, D) float32 CPU tensor. Missing ones are
    /// computed in one call of <paramref name="encode"/>, which receives the positions (into
    /// <paramref name="keys"/>) of the missing keys and returns their features in that order.
    /// </summary>
    public Tensor GetOrCompute(IReadOnlyList<FeatureKey> keys, Func<IReadOnlyList<int>, Tensor> encode)
    {
        var rows = new float[keys.Count][];
        var missing = new List<int>();
        for (int i = 0; i < keys.Count; i++)
        {
            if (TryGet(keys[i], out var f)) rows[i] = f;
            else missing.Add(i);
        }
        Misses += missing.Count;
        if (missing.Count > 0)
        {
            using var scope = NewDisposeScope();
            var computed = encode(missing).to(ScalarType.Float32).cpu().contiguous();
            if (computed.dim() != 2 || computed.shape[0] != missing.Count)
                throw new InvalidOperationException($"encoder returned shape [{string.Join(", ", computed.shape)}], expected [{missing.Count}, D]");
            for (int j = 0; j < missing.Count; j++)
            {
                var f = computed[j].data<float>().ToArray();
                Put(keys[missing[j]], f);
                rows[missing[j]] = f;
            }
        }
        if (keys.Count == 0) return zeros(0, 0);
        int dim = rows[0].Length;
        var flat = new float[keys.Count * dim];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != dim)
                throw new InvalidInputException($"feature cache: entry {keys[i].Digest} has {rows[i].Length} values, expected {dim} like the others (a stale or foreign cache file?)");
            rows[i].CopyTo(flat, i * dim);
        }
        return tensor(flat, [keys.Count, dim]);
    }

    static float[] ReadFile(string path)
    {
        var tensors = Safetensors.Load(path);
        try
        {
            if (!tensors.TryGetValue(TensorName, out var t) || t.dtype != ScalarType.Float32 || t.dim() != 1)
                throw new InvalidInputException($"{path}: feature cache file must hold one 1-D F32 tensor '{TensorName}'; delete the file to recompute it");
            return t.data<float>().ToArray();
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
