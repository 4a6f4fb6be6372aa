using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>
/// Image features by <see cref="FeatureKey"/>, in memory and optionally on disk (one safetensors
/// file per key under <c>dir/ab/abcdef....safetensors</c>, written atomically). The frozen image
/// encoder is deterministic, so a cached feature is exactly the feature that would be computed
/// again; caching changes speed, never results. Values are kept as float32 on the CPU.
/// Each file carries its key and a SHA-256 of the key and the values; a file that is unreadable,
/// truncated, damaged or written for another key is never used: it counts as missing, so the
/// feature is computed again and the file rewritten (the first such file is reported through
/// <see cref="Warning"/>). Writers of the same key in several processes are safe: each writes a
/// temporary file and renames it over the entry, so a reader sees one whole entry or none.
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
    public int Damaged { get; private set; }

    /// <summary>Told about the first damaged entry found (later ones are recomputed silently).</summary>
    public Action<string>? Warning { get; init; }

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
            if (ReadFile(PathFor(key), key, out feature, out var problem))
            {
                memory[key.Digest] = feature;
                DiskHits++;
                return true;
            }
            if (Damaged++ == 0)
                Warning?.Invoke($"feature cache entry {PathFor(key)} is damaged ({problem}); computing it again (any further damaged entries are recomputed without a message)");
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
            ["key"] = key.Digest,
            ["sha256"] = Checksum(key, feature),
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

    /// <summary>SHA-256 of the key's digest and the values' bytes (little-endian float32, as stored).</summary>
    static string Checksum(FeatureKey key, float[] feature)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.ASCII.GetBytes(key.Digest));
        sha.AppendData(MemoryMarshal.AsBytes(feature.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    static bool ReadFile(string path, FeatureKey key, out float[] feature, out string problem)
    {
        feature = [];
        Dictionary<string, Tensor> tensors;
        IReadOnlyDictionary<string, string> meta;
        try
        {
            tensors = Safetensors.Load(path, out meta);
        }
        // Whatever the reader makes of a damaged file, the entry is only a cache: compute it again.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = e.Message;
            return false;
        }
        try
        {
            if (!tensors.TryGetValue(TensorName, out var t) || t.dtype != ScalarType.Float32 || t.dim() != 1 || tensors.Count != 1)
                problem = $"expected one 1-D F32 tensor '{TensorName}'";
            else if (!meta.TryGetValue("key", out var digest) || digest != key.Digest)
                problem = "written for another key";
            else if (!meta.TryGetValue("sha256", out var sum) || sum != Checksum(key, feature = t.data<float>().ToArray()))
                problem = "checksum mismatch";
            else
            {
                problem = "";
                return true;
            }
            feature = [];
            return false;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
