using System.Text;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// <c>torch.save</c> files (the zip format of torch &gt;= 1.6: <c>&lt;root&gt;/data.pkl</c>,
/// <c>&lt;root&gt;/data/&lt;key&gt;</c>, <c>&lt;root&gt;/version</c>), read with a restricted
/// unpickler that runs nothing from the file, and written so that <c>torch.load</c> (also with
/// <c>weights_only=True</c>) reads them.
/// </summary>
public static class TorchPickle
{
    /// <summary>Where checkpoints nest their model weights (open_clip, Dassl/CoOp, many trainers).</summary>
    static readonly string[] StateDictKeys = ["state_dict", "model", "module", "model_state_dict"];

    /// <summary>
    /// The unpickled object tree: <see cref="PickleDict"/>, <c>List&lt;object?&gt;</c>, tuples as
    /// <c>object?[]</c>, <see cref="Tensor"/> (CPU, stored dtype, views keep their strides),
    /// <see cref="UnloadableTensor"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>,
    /// <see cref="string"/>, <c>byte[]</c> and null. The caller owns the tensors.
    /// </summary>
    public static object? Load(string path)
    {
        using var zip = TorchZip.Open(path);
        if (zip.IsTorchScript)
            throw new InvalidInputException($"{path}: this is a TorchScript archive (it has {zip.Root}/constants.pkl or {zip.Root}/code/), not a torch.save file; load it with TorchScriptArchive");
        var pickle = zip.Find("data.pkl")
            ?? throw new InvalidInputException($"{path}: the zip archive has no '{zip.Root}/data.pkl', so it is not a torch.save file");
        if (zip.Find("byteorder") is { } byteOrder && Encoding.ASCII.GetString(zip.ReadAll(byteOrder)) is var order && order != "little")
            throw new InvalidInputException($"{path}: '{byteOrder.FullName}' says '{order}'; only little-endian checkpoints are supported");

        using var scope = NewDisposeScope();
        var host = new TorchPickleHost($"{path} ({pickle.FullName})", zip.ReadStorage);
        var root = Unpickler.Load(zip.ReadAll(pickle), $"{path} ({pickle.FullName})", host);
        // The storages stay in the scope and are freed with it; the tensors that view them live on.
        foreach (var t in Tensors(root)) t.DetachFromDisposeScope();
        return root;
    }

    /// <summary>
    /// The state dict in a torch.save file: the top-level dict when it holds only tensors, else
    /// the dict under 'state_dict', 'model', 'module' or 'model_state_dict' (searched again
    /// inside). A 'module.' prefix (DataParallel) is stripped when every key has it. Tensors keep
    /// their stored dtype; everything else in the file is freed.
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path)
    {
        var root = Load(path);
        try
        {
            var stateDict = FindStateDict(root, path);
            // Free what is not returned (optimizer state and the like).
            var kept = new HashSet<Tensor>(stateDict.Values, ReferenceEqualityComparer.Instance);
            foreach (var t in Tensors(root))
                if (!kept.Contains(t)) t.Dispose();
            return stateDict;
        }
        catch
        {
            foreach (var t in Tensors(root)) t.Dispose();
            throw;
        }
    }

    static Dictionary<string, Tensor> FindStateDict(object? root, string path)
    {
        var node = root;
        string where = "the top level";
        while (true)
        {
            if (node is not PickleDict dict)
                throw new InvalidInputException($"{path}: {where} is a {Unpickler.Describe(node)}, not a dict of tensors");
            if (dict.Count > 0 && dict.Values.All(v => v is Tensor or UnloadableTensor))
                return ToStateDict(dict, path, where);
            var nested = StateDictKeys.FirstOrDefault(k => dict.TryGetValue(k, out var v) && v is PickleDict);
            if (nested == null)
            {
                var keys = string.Join(", ", dict.Take(12).Select(kv => $"'{kv.Key}' ({Unpickler.Describe(kv.Value)})"));
                throw new InvalidInputException(
                    $"{path}: no state dict found: {where} holds {keys}{(dict.Count > 12 ? ", ..." : "")}; " +
                    $"expected a dict of tensors, or one under {string.Join(", ", StateDictKeys.Select(k => $"'{k}'"))}");
            }
            node = dict[nested];
            where = where == "the top level" ? $"'{nested}'" : $"{where}['{nested}']";
        }
    }

    static Dictionary<string, Tensor> ToStateDict(PickleDict dict, string path, string where)
    {
        var names = dict.Keys.Select(k => k as string
            ?? throw new InvalidInputException($"{path}: the state dict at {where} has a key of type {Unpickler.Describe(k)}; expected strings")).ToList();
        const string prefix = "module.";
        bool strip = names.All(n => n.StartsWith(prefix, StringComparison.Ordinal));
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in dict)
        {
            string name = (string)key;
            if (value is UnloadableTensor u)
                throw new InvalidInputException($"{path}: tensor '{name}' has dtype {u.DType}, which Dspt cannot load (expected a float, integer or bool dtype)");
            result[strip ? name[prefix.Length..] : name] = (Tensor)value!;
        }
        if (result.Count != dict.Count)
            throw new InvalidInputException($"{path}: removing the 'module.' prefix makes two state dict keys equal");
        return result;
    }

    /// <summary>Every tensor in an object tree, each once.</summary>
    static IEnumerable<Tensor> Tensors(object? root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node == null || node is string || !seen.Add(node)) continue;
            switch (node)
            {
                case Tensor t: yield return t; break;
                case PickleDict d:
                    foreach (var (k, v) in d) { pending.Push(k); pending.Push(v); }
                    pending.Push(d.Attributes);
                    break;
                case List<object?> list: foreach (var v in list) pending.Push(v); break;
                case object?[] tuple: foreach (var v in tuple) pending.Push(v); break;
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="obj"/> as torch 2.x's torch.save does (protocol 2 pickle, one storage
    /// per tensor, storages stored uncompressed and 64-byte aligned, a 'byteorder' record),
    /// atomically. <paramref name="obj"/> may hold <see cref="PickleDict"/> (an OrderedDict when
    /// <see cref="PickleDict.IsOrderedDict"/>) or other dictionaries (plain dicts), lists, tuples
    /// (<c>object?[]</c>), tensors (saved detached, on the CPU, contiguous), int, long, double,
    /// bool, string and null. The archive's root folder is the file name without its extension,
    /// as torch names it.
    /// </summary>
    public static void Save(string path, object? obj) => Save(path, obj, writeByteOrder: true);

    /// <param name="writeByteOrder">False writes torch 1.x's layout (no 'byteorder' record).</param>
    internal static void Save(string path, object? obj, bool writeByteOrder)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("torch archives are written little-endian");
        using var scope = NewDisposeScope();
        var storages = new List<(string Key, Tensor Data)>();
        var pickle = TorchPickler.Pickle(obj, tensor =>
        {
            // clone() gives each tensor a storage of its own, starting at offset 0.
            var data = tensor.detach().cpu().contiguous().clone();
            string key = storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            storages.Add((key, data));
            return new PickledStorage(StorageTypeName(data.dtype), key, data.numel(), data.shape, data.stride());
        });
        string root = ArchiveRoot(path);
        AtomicFile.Write(path, stream =>
        {
            var zip = new TorchZipWriter(stream, root);
            zip.Add("data.pkl", pickle);
            if (writeByteOrder) zip.Add("byteorder", "little"u8);
            foreach (var (key, data) in storages.OrderBy(s => s.Key, StringComparer.Ordinal))
                zip.Add("data/" + key, data.numel() > 0 ? data.bytes : []);
            zip.Add("version", "3\n"u8);
            zip.Finish();
        });
    }

    /// <summary>PyTorchStreamWriter's basename(): the file name up to its last dot. torch.save
    /// writes non-ASCII file names through a stream, whose archive is called "archive".</summary>
    static string ArchiveRoot(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        int dot = name.LastIndexOf('.');
        string root = dot >= 0 ? name[..dot] : name;
        return root.Length > 0 && Ascii.IsValid(root) ? root : "archive";
    }

    static string StorageTypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.BFloat16 => "BFloat16Storage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Int16 => "ShortStorage",
        ScalarType.Int8 => "CharStorage",
        ScalarType.Byte => "ByteStorage",
        ScalarType.Bool => "BoolStorage",
        ScalarType.ComplexFloat32 => "ComplexFloatStorage",
        ScalarType.ComplexFloat64 => "ComplexDoubleStorage",
        _ => throw new ArgumentException($"cannot save a tensor of dtype {type} in a torch archive"),
    };
}
