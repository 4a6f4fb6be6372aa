using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.IO;

public class TorchPickleTests(VitTinyWeights weights) : IClassFixture<VitTinyWeights>
{
    static string FixturePt => VitTinyWeights.File("model.state_dict.pt");

    [Fact]
    public void LoadStateDictOfTorch113FileEqualsTheSafetensorsWeights()
    {
        var loaded = TorchPickle.LoadStateDict(FixturePt);
        try
        {
            // The .pt holds F32; its values are the F16 ones widened, so they compare exactly.
            StateDictAssert.Identical(weights.F16, loaded, ScalarType.Float32);
        }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    public void LoadKeepsTheOrderedDictAndTheModuleOrder()
    {
        var root = Assert.IsType<PickleDict>(TorchPickle.Load(FixturePt));
        try
        {
            Assert.True(root.IsOrderedDict);
            Assert.Equal(weights.F16.Count, root.Count);
            // The order of CLIP.state_dict(), as pickletools shows it in data.pkl.
            Assert.Equal(["positional_embedding", "text_projection", "logit_scale", "visual.class_embedding"], root.Keys.Take(4));
            Assert.Equal("ln_final.bias", root.Keys.Last());
        }
        finally { foreach (var v in root.Values) ((Tensor)v!).Dispose(); }
    }

    [Fact]
    public void SaveReproducesTheTorch113FileByteForByte()
    {
        // torch 1.13 wrote the fixture; without the 'byteorder' record (added in torch 2.x) our
        // writer must produce the same pickle, zip layout, padding, CRCs and end records.
        using var dir = Repo.Temp();
        string copy = dir["model.state_dict.pt"];
        var root = TorchPickle.Load(FixturePt);
        try { TorchPickle.Save(copy, root, writeByteOrder: false); }
        finally { foreach (var v in ((PickleDict)root!).Values) ((Tensor)v!).Dispose(); }
        var expected = File.ReadAllBytes(FixturePt);
        var actual = File.ReadAllBytes(copy);
        Assert.Equal(expected.Length, actual.Length);
        int firstDiff = Enumerable.Range(0, expected.Length).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(firstDiff < 0, $"first differing byte at {firstDiff}");
    }

    [Fact]
    public void SaveWritesTheTorch2LayoutWithAlignedStoredEntries()
    {
        using var dir = Repo.Temp();
        string path = dir["prompt_learner.pth.tar"];
        using var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var b = tensor(new long[] { 7 });
        TorchPickle.Save(path, new PickleDict { ["a"] = a, ["b"] = b });

        var local = LocalEntries(File.ReadAllBytes(path));
        // Root folder = file name up to its last dot, as PyTorchStreamWriter names it.
        Assert.Equal(["prompt_learner.pth/data.pkl", "prompt_learner.pth/byteorder", "prompt_learner.pth/data/0",
                      "prompt_learner.pth/data/1", "prompt_learner.pth/version"], local.Select(e => e.Name));
        Assert.All(local, e => Assert.Equal(0, e.DataOffset % 64));
        Assert.All(local, e => Assert.Equal(0, e.Method));

        using var zip = ZipFile.OpenRead(path); // an independent reader: sizes and CRCs agree
        Assert.Equal("little", Encoding.ASCII.GetString(ReadEntry(zip, "prompt_learner.pth/byteorder")));
        Assert.Equal("3\n", Encoding.ASCII.GetString(ReadEntry(zip, "prompt_learner.pth/version")));
        Assert.Equal(PickleBuilder.Floats(0, 1, 2, 3, 4, 5), ReadEntry(zip, "prompt_learner.pth/data/0"));
        Assert.Equal(BitConverter.GetBytes(7L), ReadEntry(zip, "prompt_learner.pth/data/1"));
    }

    [Fact]
    public void SaveThenLoadRoundTripsNestedObjectsExactly()
    {
        using var dir = Repo.Temp();
        string path = dir["tree.pt"];
        using var f32 = randn(3, 4, generator: new TorchSharp.torch.Generator(7));
        using var transposed = f32.t(); // non-contiguous: saved contiguous with the same values
        using var f16 = randn(5, dtype: ScalarType.Float16, generator: new TorchSharp.torch.Generator(8));
        using var bf16 = randn(2, 2, dtype: ScalarType.BFloat16, generator: new TorchSharp.torch.Generator(9));
        using var f64 = tensor(new[] { Math.PI, -0.0, double.MaxValue });
        using var i32 = tensor(new[] { int.MinValue, 0, int.MaxValue });
        using var u8 = tensor(new byte[] { 0, 255 });
        using var flags = tensor(new[] { true, false, true });
        using var scalar = tensor(2.5f);
        using var emptyRows = zeros(0, 3);
        var tree = new PickleDict
        {
            ["f32"] = f32, ["t"] = transposed, ["f16"] = f16, ["bf16"] = bf16, ["f64"] = f64, ["i32"] = i32,
            ["u8"] = u8, ["flags"] = flags, ["scalar"] = scalar, ["empty"] = emptyRows,
            ["same_tensor_twice"] = new List<object?> { f32, f32 },
            ["ints"] = new List<object?> { 0L, 255L, 256L, 65535L, 65536L, -1L, (long)int.MinValue, (long)int.MaxValue + 1, long.MinValue, long.MaxValue },
            ["floats"] = new object?[] { 0.1, -2.5e-300, double.NegativeInfinity },
            ["text"] = "bánh mì ✓", ["none"] = null, ["yes"] = true, ["no"] = false,
            [7L] = "int key",
            ["nested"] = new PickleDict { IsOrderedDict = true, ["deeper"] = new PickleDict { ["x"] = new List<object?>() } },
            ["many"] = Enumerable.Range(0, 2500).Select(i => (object?)(long)i).ToList(), // several APPENDS batches
        };
        TorchPickle.Save(path, tree);

        var back = Assert.IsType<PickleDict>(TorchPickle.Load(path));
        Assert.Equal(tree.Keys, back.Keys);
        foreach (var name in new[] { "f32", "t", "f16", "bf16", "f64", "i32", "u8", "flags", "scalar", "empty" })
        {
            var e = (Tensor)tree[name]!;
            var a = (Tensor)back[name]!;
            Assert.Equal(e.dtype, a.dtype);
            Assert.Equal(e.shape, a.shape);
            Assert.True(StateDictAssert.Same(e, a), name);
            Assert.True(a.is_contiguous(), name);
        }
        var twice = (List<object?>)back["same_tensor_twice"]!;
        Assert.Same(twice[0], twice[1]); // pickled once, referenced by the memo
        Assert.Equal(tree["ints"], back["ints"]);
        Assert.Equal((object?[])tree["floats"]!, (object?[])back["floats"]!);
        Assert.Equal("bánh mì ✓", back["text"]);
        Assert.Null(back["none"]);
        Assert.Equal(true, back["yes"]);
        Assert.Equal(false, back["no"]);
        Assert.Equal("int key", back[7L]);
        var nested = Assert.IsType<PickleDict>(back["nested"]);
        Assert.True(nested.IsOrderedDict);
        Assert.False(Assert.IsType<PickleDict>(nested["deeper"]).IsOrderedDict);
        Assert.Empty(Assert.IsType<List<object?>>(((PickleDict)nested["deeper"]!)["x"]));
        Assert.Equal(tree["many"], back["many"]);
        foreach (var t in new[] { "f32", "t", "f16", "bf16", "f64", "i32", "u8", "flags", "scalar", "empty" }) ((Tensor)back[t]!).Dispose();
        ((Tensor)twice[0]!).Dispose();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LoadStateDictFindsANestedStateDictAndStripsTheDataParallelPrefix()
    {
        using var dir = Repo.Temp();
        string path = dir["checkpoint.pt"];
        var prefixed = new PickleDict { IsOrderedDict = true };
        foreach (var (name, t) in weights.F16) prefixed["module." + name] = t;
        using var step = tensor(12f);
        TorchPickle.Save(path, new PickleDict
        {
            ["epoch"] = 3L,
            ["state_dict"] = prefixed,
            ["optimizer"] = new PickleDict
            {
                ["state"] = new PickleDict { [0L] = new PickleDict { ["step"] = step } },
                ["param_groups"] = new List<object?> { new PickleDict { ["lr"] = 0.002, ["params"] = new List<object?> { 0L } } },
            },
        });

        var loaded = TorchPickle.LoadStateDict(path);
        try { StateDictAssert.Identical(weights.F16, loaded); }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    public void LoadStateDictReadsCoOpsCheckpointLayout()
    {
        // Dassl's save_checkpoint: {'state_dict', 'epoch', 'optimizer', 'scheduler', 'val_result'}.
        using var dir = Repo.Temp();
        string path = dir["model.pth.tar-50"];
        using var ctx = randn(16, 128, generator: new TorchSharp.torch.Generator(1));
        using var prefix = randn(5, 1, 128, generator: new TorchSharp.torch.Generator(2));
        using var suffix = randn(5, 60, 128, generator: new TorchSharp.torch.Generator(3));
        TorchPickle.Save(path, new PickleDict
        {
            ["state_dict"] = new PickleDict { IsOrderedDict = true, ["ctx"] = ctx, ["token_prefix"] = prefix, ["token_suffix"] = suffix },
            ["epoch"] = 50L, ["optimizer"] = null, ["scheduler"] = null, ["val_result"] = null,
        });

        var loaded = TorchPickle.LoadStateDict(path);
        try
        {
            Assert.Equal(["ctx", "token_prefix", "token_suffix"], loaded.Keys);
            Assert.True(StateDictAssert.Same(loaded["ctx"], ctx));
            Assert.True(StateDictAssert.Same(loaded["token_prefix"], prefix));
            Assert.True(StateDictAssert.Same(loaded["token_suffix"], suffix));
        }
        finally { loaded.DisposeAll(); }
        var root = Assert.IsType<PickleDict>(TorchPickle.Load(path));
        Assert.Equal(50L, root["epoch"]);
        foreach (var t in ((PickleDict)root["state_dict"]!).Values) ((Tensor)t!).Dispose();
    }

    [Fact]
    public void LoadRebuildsStridedViewsOverASharedStorage()
    {
        // Storage 0..11; view A: offset 1, size (2,3), stride (1,4) -> [[1,5,9],[2,6,10]];
        // view B: the same storage as a (3,4) matrix. torch.save writes such views for slices.
        var pickle = new PickleBuilder().Op('}').Mark()
            .Str("a").Tensor("FloatStorage", "0", 12, 1, [2, 3], [1, 4])
            .Str("b").Tensor("FloatStorage", "0", 12, 0, [3, 4], [4, 1])
            .Op('u').Stop().ToArray();
        using var dir = Repo.Temp();
        string path = dir["views.pt"];
        PickleBuilder.WriteArchive(path, pickle, ("data/0", PickleBuilder.Floats(Enumerable.Range(0, 12).Select(i => (float)i).ToArray())));

        var loaded = TorchPickle.LoadStateDict(path);
        try
        {
            Assert.Equal(new float[] { 1, 5, 9, 2, 6, 10 }, loaded["a"].contiguous().data<float>().ToArray());
            Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), loaded["b"].data<float>().ToArray());
            loaded["b"].add_(100f); // views share their storage, as after torch.load
            Assert.Equal(101f, loaded["a"][0, 0].item<float>());
        }
        finally { loaded.DisposeAll(); }
    }

    static byte[] ReadEntry(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>Walks the local file headers from the start, as a streaming reader would.</summary>
    static List<(string Name, long DataOffset, int Method)> LocalEntries(byte[] file)
    {
        var result = new List<(string, long, int)>();
        int pos = 0;
        while (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos)) == 0x04034b50)
        {
            int method = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(pos + 8));
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(pos + 26));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(pos + 28));
            string name = Encoding.UTF8.GetString(file, pos + 30, nameLength);
            int dataOffset = pos + 30 + nameLength + extraLength;
            // Sizes are in the data descriptor after the data; find it by the central directory's size.
            int size = CentralSize(file, name);
            result.Add((name, dataOffset, method));
            pos = dataOffset + size + 16;
        }
        return result;
    }

    static int CentralSize(byte[] file, string name)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        return (int)zip.GetEntry(name)!.Length;
    }
}
