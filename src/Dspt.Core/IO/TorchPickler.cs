using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>A tensor's storage as <see cref="TorchPickler"/> refers to it: its torch storage class
/// (<c>FloatStorage</c>, ...), its key in the archive (<c>data/&lt;key&gt;</c>) and the layout of
/// the tensor over it.</summary>
internal sealed record PickledStorage(string StorageType, string Key, long Numel, long[] Shape, long[] Stride);

/// <summary>
/// Writes the pickle that <c>torch.save</c> writes (protocol 2, the default), opcode for opcode as
/// CPython's C pickler emits it (memo puts, batching, int widths), so the bytes match a real
/// torch.save of the same object. Tensors become
/// <c>torch._utils._rebuild_tensor_v2(persistent storage id, offset, size, stride, False, OrderedDict())</c>.
/// </summary>
internal sealed class TorchPickler
{
    const int BatchSize = 1000; // pickle._BATCHSIZE

    sealed record Global(string Module, string Name);

    readonly MemoryStream output = new();
    readonly Dictionary<string, int> valueMemo = []; // strings and globals: the ones torch.save repeats are the same Python object
    readonly Dictionary<object, int> objectMemo = new(ReferenceEqualityComparer.Instance);
    readonly Func<Tensor, PickledStorage> addStorage;
    int memoCount; // pickle's memo index: len(memo), one per put

    TorchPickler(Func<Tensor, PickledStorage> addStorage) => this.addStorage = addStorage;

    /// <param name="addStorage">Registers a tensor's data for the archive and says how to refer to it.</param>
    public static byte[] Pickle(object? obj, Func<Tensor, PickledStorage> addStorage)
    {
        var pickler = new TorchPickler(addStorage);
        pickler.Write(0x80, 2); // PROTO 2
        pickler.Save(obj);
        pickler.Write((byte)'.'); // STOP
        return pickler.output.ToArray();
    }

    void Save(object? obj)
    {
        switch (obj)
        {
            case null: Write((byte)'N'); return;
            case bool b: Write(b ? (byte)0x88 : (byte)0x89); return;
            case int i: SaveLong(i); return;
            case long l: SaveLong(l); return;
            case double d: SaveFloat(d); return;
            case float f: SaveFloat(f); return;
            case string s: SaveString(s); return;
            case Global g: SaveGlobal(g); return;
        }
        if (objectMemo.TryGetValue(obj, out int seen)) { MemoGet(seen); return; }
        switch (obj)
        {
            case Tensor t: SaveTensor(t); break;
            case object?[] tuple when obj.GetType() == typeof(object[]): SaveTuple(tuple, obj); break;
            case PickleDict { IsOrderedDict: true } od: SaveOrderedDict(od); break;
            case IDictionary dict: SaveDict(dict); break;
            case IList list: SaveList(list); break;
            default:
                throw new ArgumentException($"cannot pickle a {obj.GetType().Name}: torch checkpoints hold tensors, numbers, strings, bools, None, lists, tuples (object?[]) and dicts");
        }
    }

    void SaveLong(long x)
    {
        if (x is >= 0 and <= 0xff) Write((byte)'K', (byte)x);
        else if (x is >= 0 and <= 0xffff) { Write((byte)'M'); WriteLE16((ushort)x); }
        else if (x is >= int.MinValue and <= int.MaxValue) { Write((byte)'J'); WriteLE32((uint)(int)x); }
        else
        {
            // LONG1 with pickle.encode_long's bytes: minimal little-endian two's complement.
            var bytes = new BigInteger(x).ToByteArray();
            Write(0x8a, (byte)bytes.Length);
            output.Write(bytes);
        }
    }

    void SaveFloat(double d)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, d);
        Write((byte)'G');
        output.Write(b);
    }

    void SaveString(string s)
    {
        if (valueMemo.TryGetValue("s" + s, out int seen)) { MemoGet(seen); return; }
        var bytes = Encoding.UTF8.GetBytes(s);
        Write((byte)'X'); // BINUNICODE
        WriteLE32((uint)bytes.Length);
        output.Write(bytes);
        valueMemo["s" + s] = MemoPut();
    }

    void SaveGlobal(Global g)
    {
        string key = "g" + g.Module + "\n" + g.Name;
        if (valueMemo.TryGetValue(key, out int seen)) { MemoGet(seen); return; }
        Write((byte)'c');
        output.Write(Encoding.ASCII.GetBytes($"{g.Module}\n{g.Name}\n"));
        valueMemo[key] = MemoPut();
    }

    void SaveTuple(object?[] items, object? identity = null)
    {
        if (items.Length == 0) { Write((byte)')'); return; } // EMPTY_TUPLE is never memoized
        if (items.Length <= 3)
        {
            foreach (var item in items) Save(item);
            Write((byte)(0x84 + items.Length)); // TUPLE1..3
        }
        else
        {
            Write((byte)'(');
            foreach (var item in items) Save(item);
            Write((byte)'t');
        }
        int index = MemoPut();
        if (identity != null) objectMemo[identity] = index;
    }

    void SaveList(IList list)
    {
        Write((byte)']');
        objectMemo[list] = MemoPut();
        if (list.Count == 1) { Save(list[0]); Write((byte)'a'); return; }
        // batch_list_exact: MARK ... APPENDS per batch while items remain.
        int total = 0;
        while (total < list.Count)
        {
            Write((byte)'(');
            for (int n = 0; n < BatchSize && total < list.Count; n++) Save(list[total++]);
            Write((byte)'e');
        }
    }

    void SaveDict(IDictionary dict)
    {
        Write((byte)'}');
        objectMemo[dict] = MemoPut();
        var entries = Entries(dict);
        if (entries.Count == 0) return;
        if (entries.Count == 1) { SaveItem(entries[0]); Write((byte)'s'); return; }
        // batch_dict_exact writes MARK ... SETITEMS and goes on while the last batch was full.
        int total = 0, inBatch;
        do
        {
            Write((byte)'(');
            for (inBatch = 0; inBatch < BatchSize && total < entries.Count; inBatch++) SaveItem(entries[total++]);
            Write((byte)'u');
        } while (inBatch == BatchSize);
    }

    void SaveOrderedDict(PickleDict dict)
    {
        // OrderedDict.__reduce__ = (OrderedDict, (), instance dict or None, None, iter(items)).
        SaveGlobal(new Global("collections", "OrderedDict"));
        Write((byte)')', (byte)'R');
        objectMemo[dict] = MemoPut();
        var entries = Entries(dict);
        // batch_dict (the iterator version): a lone item gets SETITEM, an exhausted iterator nothing.
        for (int total = 0; total < entries.Count;)
        {
            int n = Math.Min(BatchSize, entries.Count - total);
            if (n == 1) { SaveItem(entries[total++]); Write((byte)'s'); continue; }
            Write((byte)'(');
            for (int i = 0; i < n; i++) SaveItem(entries[total++]);
            Write((byte)'u');
        }
        if (dict.Attributes is { Count: > 0 } attributes)
        {
            Save(attributes);
            Write((byte)'b');
        }
    }

    static List<DictionaryEntry> Entries(IDictionary dict)
    {
        var entries = new List<DictionaryEntry>(dict.Count);
        foreach (DictionaryEntry e in dict) entries.Add(e);
        return entries;
    }

    void SaveItem(DictionaryEntry entry)
    {
        Save(entry.Key);
        Save(entry.Value);
    }

    void SaveTensor(Tensor tensor)
    {
        var storage = addStorage(tensor);
        SaveGlobal(new Global("torch._utils", "_rebuild_tensor_v2"));
        Write((byte)'(');
        SaveTuple(["storage", new Global("torch", storage.StorageType), storage.Key, "cpu", storage.Numel]);
        Write((byte)'Q'); // BINPERSID
        SaveLong(0);
        SaveTuple(storage.Shape.Cast<object?>().ToArray());
        SaveTuple(storage.Stride.Cast<object?>().ToArray());
        Save(false); // requires_grad: a checkpoint holds data, not graph state
        SaveOrderedDict(new PickleDict { IsOrderedDict = true }); // backward_hooks
        Write((byte)'t');
        MemoPut(); // the argument tuple
        Write((byte)'R');
        objectMemo[tensor] = MemoPut();
    }

    int MemoPut()
    {
        int index = memoCount++;
        if (index < 256) Write((byte)'q', (byte)index);
        else { Write((byte)'r'); WriteLE32((uint)index); }
        return index;
    }

    void MemoGet(int index)
    {
        if (index < 256) Write((byte)'h', (byte)index);
        else { Write((byte)'j'); WriteLE32((uint)index); }
    }

    void Write(params ReadOnlySpan<byte> bytes) => output.Write(bytes);

    void WriteLE16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        output.Write(b);
    }

    void WriteLE32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        output.Write(b);
    }
}
