using System.Buffers.Binary;
using System.Text;
using Dspt.IO;

namespace Dspt.Tests.IO;

/// <summary>Hand-written pickle opcodes, for archives our own writer would never produce
/// (hostile globals, strided views, odd dtypes).</summary>
public sealed class PickleBuilder
{
    readonly List<byte> bytes = [0x80, 2];

    public PickleBuilder Op(char op) { bytes.Add((byte)op); return this; }
    public PickleBuilder Op(byte op) { bytes.Add(op); return this; }
    public PickleBuilder Mark() => Op('(');
    public PickleBuilder Tuple() => Op('t');
    public PickleBuilder Reduce() => Op('R');
    public PickleBuilder Stop() => Op('.');
    public PickleBuilder False() => Op(0x89);

    public PickleBuilder Global(string module, string name)
    {
        bytes.Add((byte)'c');
        bytes.AddRange(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    public PickleBuilder Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        bytes.Add((byte)'X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, utf8.Length);
        bytes.AddRange(len.ToArray());
        bytes.AddRange(utf8);
        return this;
    }

    public PickleBuilder Int(int x)
    {
        bytes.Add((byte)'J');
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, x);
        bytes.AddRange(b.ToArray());
        return this;
    }

    public PickleBuilder Ints(params int[] xs)
    {
        Mark();
        foreach (var x in xs) Int(x);
        return Tuple();
    }

    /// <summary>('storage', torch.&lt;type&gt;, key, 'cpu', numel) BINPERSID.</summary>
    public PickleBuilder Storage(string type, string key, int numel, string module = "torch") =>
        Mark().Str("storage").Global(module, type).Str(key).Str("cpu").Int(numel).Tuple().Op('Q');

    /// <summary>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).</summary>
    public PickleBuilder Tensor(string storageType, string key, int numel, int offset, int[] size, int[] stride) =>
        Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Storage(storageType, key, numel).Int(offset).Ints(size).Ints(stride).False()
            .Global("collections", "OrderedDict").Op(')').Reduce()
            .Tuple().Reduce();

    public byte[] ToArray() => [.. bytes];

    /// <summary>Writes a torch-style zip: <c>root/data.pkl</c>, the given entries, <c>root/version</c>.</summary>
    public static void WriteArchive(string path, byte[]? pickle, params (string Name, byte[] Data)[] entries)
    {
        using var stream = File.Create(path);
        var zip = new TorchZipWriter(stream, "archive");
        if (pickle != null) zip.Add("data.pkl", pickle);
        foreach (var (name, data) in entries) zip.Add(name, data);
        zip.Add("version", "3\n"u8);
        zip.Finish();
    }

    public static byte[] Floats(params float[] values) =>
        values.SelectMany(BitConverter.GetBytes).ToArray();
}
