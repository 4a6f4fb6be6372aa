using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dspt.Builtin;
using Dspt.Clip;
using Dspt.IO;
using Dspt.World;
using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>
/// Features of a built-in world task. A split is rendered and encoded whole, in batches of 256 in
/// item order (as the demo always did, so its numbers are unchanged), the first time any of its
/// items is asked for; later runs in the process gather rows from it. With a cache folder the
/// split's features are also kept on disk under <c>world/&lt;key&gt;.safetensors</c> (written
/// atomically, checked against the split's size and the key on reading), so shards on other
/// processes encode nothing.
/// </summary>
public sealed class WorldFeatureSource : IImageFeatureSource, IDisposable
{
    const int Batch = 256;
    readonly ClipModel clip;
    readonly string modelSha256;
    readonly BuiltinDataset dataset;
    readonly WorldTask task;
    readonly string? cacheDirectory;
    readonly Dictionary<string, Tensor> splits = new(StringComparer.Ordinal);

    public WorldFeatureSource(ClipModel clip, string modelSha256, BuiltinDataset dataset, string? cacheDirectory)
    {
        this.clip = clip;
        this.modelSha256 = modelSha256;
        this.dataset = dataset;
        this.cacheDirectory = cacheDirectory;
        task = dataset.CreateTask();
    }

    /// <summary>Called with a message when a split is encoded or read from the cache.</summary>
    public Action<string>? Status { get; init; }

    public int Encoded { get; private set; }

    public Tensor TrainingViews(IReadOnlyList<string> paths, int augmentedViews, long seed)
    {
        if (augmentedViews != 0)
            throw new InvalidInputException($"{dataset.Address}: the built-in world is encoded without augmentation; set views to 0 (--views 0)");
        using var rows = Encode(paths);
        return rows.unsqueeze(1).clone();
    }

    public Tensor Encode(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) return zeros(0, clip.Config.EmbedDim);
        var located = paths.Select(Locate).ToList();
        var groups = located.Select(l => l.Split).Distinct().ToList();
        if (groups.Count == 1)
        {
            using var idx = tensor(located.Select(l => (long)l.Row).ToArray());
            return Split(groups[0]).index_select(0, idx);
        }
        using var scope = NewDisposeScope();
        return stack(located.Select(l => Split(l.Split)[l.Row]).ToList(), 0).MoveToOuterDisposeScope();
    }

    (string Split, int Row) Locate(string path)
    {
        string item = path.Replace('\\', '/');
        string root = dataset.Address + "/";
        if (item.StartsWith(root, StringComparison.Ordinal)) item = item[root.Length..];
        var parts = item.Split('/');
        if (parts.Length != 4 || !WorldTask.SplitNames.Contains(parts[2]) || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out int row))
            throw new InvalidInputException($"'{path}' is not an item of {dataset.Address} (expected {WorldTask.Root}/{task.Name}/<train|val|test>/<index>)");
        task.SceneOf(item);   // validates the index against the split's size
        return (parts[2], row);
    }

    Tensor Split(string name)
    {
        if (splits.TryGetValue(name, out var cached)) return cached;
        var items = task.Split(name);
        string? file = cacheDirectory is null ? null : Path.Combine(cacheDirectory, "world", Key(name) + ".safetensors");
        Tensor? features = file is not null && File.Exists(file) ? Read(file, items.Count) : null;
        if (features is null)
        {
            Status?.Invoke($"rendering and encoding {items.Count} {name} images of {dataset.Address}");
            features = EncodeAll(items);
            Encoded += items.Count;
            if (file is not null)
                Safetensors.Save(file, new Dictionary<string, Tensor> { ["features"] = features }, Metadata(name));
        }
        splits[name] = features;
        return features;
    }

    Tensor EncodeAll(IReadOnlyList<(string Path, int Label)> items)
    {
        using var _ = inference_mode();
        var parts = new List<Tensor>();
        foreach (var chunk in items.Chunk(Batch))
        {
            var rendered = new byte[chunk.Length][];
            Parallel.For(0, chunk.Length, i => rendered[i] = task.Render(chunk[i].Path));
            using var images = WorldImages.ToClipTensor(rendered);
            parts.Add(clip.EncodeImage(images).cpu());
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        // Inference tensors cannot enter autograd later; a plain copy can.
        var features = all.clone();
        all.Dispose();
        return features;
    }

    Dictionary<string, string> Metadata(string split) => new()
    {
        ["format"] = "dspt-world-features-v1",
        ["model_sha256"] = modelSha256,
        ["dataset"] = dataset.Address,
        ["split"] = split,
    };

    string Key(string split) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join("\n", Metadata(split).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")))));

    /// <summary>The cached split, or null (with a note) when the file is unreadable or is not this key's: it is then recomputed and replaced.</summary>
    Tensor? Read(string file, int count)
    {
        try
        {
            var tensors = Safetensors.Load(file, out var meta);
            var split = meta.GetValueOrDefault("split") ?? "";
            bool ok = tensors.TryGetValue("features", out var t) && t.dtype == ScalarType.Float32 && t.dim() == 2
                      && t.shape[0] == count && t.shape[1] == clip.Config.EmbedDim
                      && Metadata(split).All(kv => meta.GetValueOrDefault(kv.Key) == kv.Value) && Key(split) == Path.GetFileNameWithoutExtension(file);
            foreach (var other in tensors.Where(kv => !ok || kv.Key != "features")) other.Value.Dispose();
            if (ok) return t;
        }
        catch (InvalidInputException) { }
        Status?.Invoke($"{file}: not a valid feature file for this key; recomputing it");
        return null;
    }

    public void Dispose()
    {
        foreach (var t in splits.Values) t.Dispose();
        splits.Clear();
    }
}
