using System.Buffers.Binary;
using System.Text;
using Dspt.IO;

namespace Dspt.Fuzz;

/// <summary>A small TorchScript-layout archive (module objects with tensor attributes, a code/
/// folder, constants.pkl), written opcode by opcode as torch.jit.save lays it out.</summary>
public static class ScriptArchiveSeed
{
    sealed class Pickle
    {
        readonly List<byte> b = [0x80, 2];
        public Pickle Op(char c) { b.Add((byte)c); return this; }
        public Pickle Op(byte c) { b.Add(c); return this; }
        public Pickle Global(string module, string name) { b.Add((byte)'c'); b.AddRange(Encoding.ASCII.GetBytes($"{module}\n{name}\n")); return this; }
        public Pickle Str(string s)
        {
            var u = Encoding.UTF8.GetBytes(s);
            b.Add((byte)'X');
            Span<byte> n = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(n, u.Length);
            b.AddRange(n.ToArray());
            b.AddRange(u);
            return this;
        }
        public Pickle Int(int x) { b.Add((byte)'J'); b.AddRange(BitConverter.GetBytes(x)); return this; }
        public Pickle Ints(params int[] xs) { Op('('); foreach (var x in xs) Int(x); return Op('t'); }
        public Pickle Tensor(string type, string key, int numel, int[] size, int[] stride) =>
            Global("torch._utils", "_rebuild_tensor_v2").Op('(')
                .Op('(').Str("storage").Global("torch", type).Str(key).Str("cpu").Int(numel).Op('t').Op('Q')
                .Int(0).Ints(size).Ints(stride).Op(0x89).Global("collections", "OrderedDict").Op(')').Op('R')
                .Op('t').Op('R');
        public Pickle Module(string module, string cls) => Global(module, cls).Op(')').Op(0x81).Op('}').Op('(');
        public Pickle EndModule() => Op('u').Op('b');
        public byte[] Bytes() => [.. b];
    }

    public static byte[] Build()
    {
        var pickle = new Pickle()
            .Module("__torch__", "Root")
                .Str("training").Op(0x88)
                .Str("weight").Tensor("FloatStorage", "0", 6, [2, 3], [3, 1])
                .Str("vocab_size").Tensor("LongStorage", "1", 1, [], [])
                .Str("sub").Module("__torch__.___torch_mangle_0", "Sub")
                    .Str("bias").Tensor("HalfStorage", "2", 4, [4], [1])
                    .Str("_is_full_backward_hook").Op('N')
                .EndModule()
            .EndModule().Op('.').Bytes();
        using var ms = new MemoryStream();
        var zip = new TorchZipWriter(ms, "archive");
        zip.Add("data.pkl", pickle);
        zip.Add("code/__torch__.py", "class Root(Module):\n  __parameters__ = [\"weight\", ]\n"u8);
        zip.Add("constants.pkl", [0x80, 2, (byte)')', (byte)'.']);
        zip.Add("data/0", Enumerable.Range(0, 6).SelectMany(i => BitConverter.GetBytes(i * 0.5f)).ToArray());
        zip.Add("data/1", BitConverter.GetBytes(49408L));
        zip.Add("data/2", new byte[8]);
        zip.Add("version", "3\n"u8);
        zip.Finish();
        return ms.ToArray();
    }
}
