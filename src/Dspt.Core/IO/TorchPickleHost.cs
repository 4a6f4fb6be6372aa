using System.Text;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// The allow-list behind <see cref="TorchPickle"/>: the only globals a <c>torch.save</c> state dict
/// needs (OrderedDict, the tensor rebuild functions, storage and dtype names). Each is a token that
/// this class interprets itself; nothing named in the file is ever looked up or run.
/// With <paramref name="scriptModules"/> (TorchScript archives) <c>__torch__.*</c> classes are
/// accepted too, as inert <see cref="ScriptObject"/>s whose state must be a plain attribute dict.
/// </summary>
internal sealed class TorchPickleHost(string source, Func<string, ScalarType, long, Tensor> readStorage, bool scriptModules = false) : IUnpicklerHost
{
    /// <summary>A TorchScript class named in data.pkl; "calling" it makes an empty <see cref="ScriptObject"/>.</summary>
    sealed record ScriptClass(string Name);

    /// <summary>A global that <see cref="Call"/> knows how to interpret.</summary>
    sealed record Function(string Module, string Name);

    /// <summary><c>torch.FloatStorage</c> and friends; DType is null where Dspt has no such type.
    /// An untyped storage (torch 2.x, new dtypes) counts bytes and gets its dtype from the rebuild call.</summary>
    sealed record StorageType(string Name, ScalarType? DType, bool Untyped = false);

    /// <summary>A <c>torch.&lt;dtype&gt;</c> global, as <c>_rebuild_tensor_v3</c> receives it.</summary>
    sealed record DTypeToken(string Name, ScalarType? DType);

    /// <summary>What a persistent id ('storage', type, key, location, numel) stands for.</summary>
    sealed record StorageRef(string Key, StorageType Type, long Numel);

    static readonly Dictionary<string, ScalarType?> StorageTypes = new()
    {
        ["DoubleStorage"] = ScalarType.Float64,
        ["FloatStorage"] = ScalarType.Float32,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
        ["ComplexFloatStorage"] = ScalarType.ComplexFloat32,
        ["ComplexDoubleStorage"] = ScalarType.ComplexFloat64,
        ["QInt8Storage"] = null,
        ["QUInt8Storage"] = null,
        ["QInt32Storage"] = null,
        ["QUInt4x2Storage"] = null,
        ["QUInt2x4Storage"] = null,
    };

    static readonly Dictionary<string, ScalarType?> DTypes = new()
    {
        ["float32"] = ScalarType.Float32, ["float"] = ScalarType.Float32,
        ["float64"] = ScalarType.Float64, ["double"] = ScalarType.Float64,
        ["float16"] = ScalarType.Float16, ["half"] = ScalarType.Float16,
        ["bfloat16"] = ScalarType.BFloat16,
        ["int64"] = ScalarType.Int64, ["long"] = ScalarType.Int64,
        ["int32"] = ScalarType.Int32, ["int"] = ScalarType.Int32,
        ["int16"] = ScalarType.Int16, ["short"] = ScalarType.Int16,
        ["int8"] = ScalarType.Int8,
        ["uint8"] = ScalarType.Byte,
        ["bool"] = ScalarType.Bool,
        ["complex64"] = ScalarType.ComplexFloat32, ["cfloat"] = ScalarType.ComplexFloat32,
        ["complex128"] = ScalarType.ComplexFloat64, ["cdouble"] = ScalarType.ComplexFloat64,
        ["float8_e5m2"] = null, ["float8_e4m3fn"] = null, ["float8_e5m2fnuz"] = null,
        ["float8_e4m3fnuz"] = null, ["float8_e8m0fnu"] = null, ["float4_e2m1fn_x2"] = null,
        ["uint16"] = null, ["uint32"] = null, ["uint64"] = null,
        ["complex32"] = null, ["chalf"] = null,
        ["qint8"] = null, ["quint8"] = null, ["qint32"] = null, ["quint4x2"] = null, ["quint2x4"] = null,
        ["bits8"] = null, ["bits16"] = null, ["bits1x8"] = null, ["bits2x4"] = null, ["bits4x2"] = null,
    };

    static readonly HashSet<string> RebuildFunctions =
    [
        "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3",
        "_rebuild_parameter", "_rebuild_parameter_with_state",
    ];

    readonly Dictionary<string, (ScalarType DType, Tensor Data)> storages = [];

    public object ResolveGlobal(string module, string name)
    {
        switch (module)
        {
            case "collections" when name == "OrderedDict":
            case "torch._utils" when RebuildFunctions.Contains(name):
            case "_codecs" when name == "encode":
                return new Function(module, name);
            case "torch" or "torch.storage" when name == "UntypedStorage":
                return new StorageType(name, ScalarType.Byte, Untyped: true);
            case "torch" when StorageTypes.TryGetValue(name, out var storageDType):
                return new StorageType(name, storageDType);
            case "torch" when DTypes.TryGetValue(name, out var dtype):
                return new DTypeToken(name, dtype);
            case { } when scriptModules && (module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal)):
                return new ScriptClass($"{module}.{name}");
        }
        throw new InvalidInputException(
            $"{source}: refusing to load: it asks for {module}.{name}, which a {(scriptModules ? "TorchScript model's weights never need" : "state dict never needs")} " +
            "(only tensors, numbers, strings, lists and dicts are read, and nothing in the file is run)");
    }

    public object? Call(object callable, object?[] args)
    {
        if (callable is ScriptClass c)
            return args.Length == 0
                ? new ScriptObject(c.Name)
                : throw Bad($"{c.Name} is constructed with arguments; TorchScript pickles a module as {c.Name}() followed by BUILD with its attributes");
        if (callable is not Function f)
            throw Bad($"calling {Unpickler.Describe(callable)} is not supported");
        switch (f.Name)
        {
            case "OrderedDict":
                if (args.Length != 0) throw Bad("collections.OrderedDict is called with arguments; expected OrderedDict() and then SETITEMS");
                return new PickleDict { IsOrderedDict = true };
            case "encode":
                // Protocol 2 pickles Python 3 bytes as _codecs.encode(text, 'latin1').
                if (args is [string text, string encoding] && encoding.Replace("-", "") is "latin1")
                    return Encoding.Latin1.GetBytes(text);
                throw Bad("_codecs.encode is only accepted as encode(str, 'latin1'), the way pickle writes bytes");
            case "_rebuild_parameter" or "_rebuild_parameter_with_state":
                return args.Length >= 3 && args[0] is Tensor or UnloadableTensor
                    ? args[0]
                    : throw Bad($"torch._utils.{f.Name} expects (tensor, requires_grad, backward_hooks, ...)");
            case "_rebuild_tensor_v3":
                if (args.Length < 7 || args[6] is not DTypeToken dtype)
                    throw Bad("torch._utils._rebuild_tensor_v3 expects (storage, offset, size, stride, requires_grad, backward_hooks, dtype, ...)");
                return Rebuild(f.Name, args, dtype.DType, dtype.Name);
            default: // _rebuild_tensor (storage, offset, size, stride), _rebuild_tensor_v2 (..., requires_grad, backward_hooks[, metadata])
                if (args.Length < 4 || args[0] is not StorageRef s)
                    throw Bad($"torch._utils.{f.Name} expects (storage, offset, size, stride, ...)");
                return Rebuild(f.Name, args, s.Type.DType, s.Type.Name);
        }
    }

    public void Build(object? target, object? state)
    {
        // An OrderedDict's instance dict (e.g. state_dict()._metadata), possibly as (dict, slots).
        if (target is ScriptObject obj)
        {
            // TorchScript would hand a non-dict state to the class's __setstate__; its code is never run here.
            if (state is not PickleDict attrs || obj.Attributes != null)
                throw Bad($"{obj.ClassName} is given a {Unpickler.Describe(state)} state{(obj.Attributes != null ? " a second time" : "")}; " +
                    "only modules whose state is a dict of attributes are read (a class with its own __setstate__ would need its code run, which Dspt never does)");
            obj.Attributes = attrs;
            return;
        }
        if (state is object?[] { Length: 2 } pair) state = pair[0];
        if (target is PickleDict dict && state is PickleDict attributes)
            dict.Attributes = attributes;
        else if (!(target is PickleDict && state is null))
            throw Bad($"BUILD of a {Unpickler.Describe(target)} with a {Unpickler.Describe(state)} state is not supported");
    }

    public object? PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } t || !IsStorageTag(t[0])
            || t[1] is not StorageType type || t[2] is not string key || t[4] is not long numel || numel < 0)
            throw Bad("a persistent id is not ('storage', <storage type>, key, location, numel) as torch.save writes it");
        return new StorageRef(key, type, numel);
    }

    static bool IsStorageTag(object? tag) => tag is "storage" || (tag is byte[] b && Encoding.ASCII.GetString(b) == "storage");

    object Rebuild(string function, object?[] args, ScalarType? dtype, string dtypeName)
    {
        if (args[0] is not StorageRef storage)
            throw Bad($"torch._utils.{function}: the first argument is a {Unpickler.Describe(args[0])}, not a storage");
        long offset = args[1] is long o && o >= 0 ? o : throw Bad($"torch._utils.{function}: the storage offset must be a non-negative int");
        long[] size = Longs(args[2], function, "size");
        long[] stride = Longs(args[3], function, "stride");
        if (size.Length != stride.Length)
            throw Bad($"torch._utils.{function}: size has {size.Length} dims but stride has {stride.Length}");
        if (dtype is not ScalarType type)
            return new UnloadableTensor(dtypeName, size);
        if (storage.Type.Untyped != (function == "_rebuild_tensor_v3"))
            throw Bad($"torch._utils.{function} is given a {storage.Type.Name}; torch pairs _rebuild_tensor_v3 with UntypedStorage and the others with typed storages");

        int elementSize = ElementSize(type);
        long bytes = storage.Type.Untyped || storage.Numel <= long.MaxValue / elementSize ? storage.Numel * (storage.Type.Untyped ? 1 : elementSize)
            : throw Bad($"storage '{storage.Key}' claims {storage.Numel} elements of {dtypeName}, more bytes than any file holds");
        if (bytes % elementSize != 0)
            throw Bad($"storage '{storage.Key}' has {bytes} bytes, not a whole number of {dtypeName} elements");
        long storageNumel = bytes / elementSize;
        long last = offset;
        try
        {
            for (int i = 0; i < size.Length; i++)
            {
                if (size[i] == 0) { last = -1; break; }
                last = checked(last + (size[i] - 1) * stride[i]);
            }
        }
        catch (OverflowException) { throw Bad($"tensor size/stride over storage '{storage.Key}' overflow"); }
        if (last >= storageNumel || (last < 0 && offset > storageNumel))
            throw Bad($"a tensor of size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}] and offset {offset} reaches past the end of storage '{storage.Key}' ({storageNumel} elements)");

        if (!storages.TryGetValue(storage.Key, out var loaded))
            storages[storage.Key] = loaded = (type, readStorage(storage.Key, type, bytes));
        if (loaded.DType != type)
            throw Bad($"storage '{storage.Key}' is used as both {loaded.DType} and {type}");
        return loaded.Data.as_strided(size, stride, offset);
    }

    long[] Longs(object? value, string function, string what)
    {
        var items = value switch
        {
            object?[] tuple => tuple,
            List<object?> list => list.ToArray(),
            _ => throw Bad($"torch._utils.{function}: {what} must be a tuple of ints"),
        };
        return items.Select(v => v is long x && x >= 0 ? x : throw Bad($"torch._utils.{function}: {what} must hold non-negative ints")).ToArray();
    }

    internal static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentException($"no element size for {type}"),
    };

    InvalidInputException Bad(string what) => new($"{source}: {what}");
}
