using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.IO;

/// <summary>Hostile and broken torch.save files: each must fail with a message that names the
/// file and what is wrong, and nothing in them may run.</summary>
public class TorchPickleInputTests
{
    static InvalidInputException Refused(string path) =>
        Assert.Throws<InvalidInputException>(() => TorchPickle.LoadStateDict(path));

    static string Archive(TempDir dir, byte[]? pickle, params (string, byte[])[] entries)
    {
        string path = dir["checkpoint.pt"];
        PickleBuilder.WriteArchive(path, pickle, entries);
        return path;
    }

    [Fact]
    public void AGlobalOutsideTheAllowListIsRefusedWithoutRunningIt()
    {
        using var dir = Repo.Temp();
        string marker = dir["pwned"];
        // The classic payload: os.system('touch <marker>') via GLOBAL + REDUCE.
        var pickle = new PickleBuilder().Global("os", "system").Str($"touch {marker}").Op(0x85).Reduce().Stop().ToArray();
        string path = Archive(dir, pickle);

        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("it asks for os.system, which a state dict never needs", e.Message);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("builtins", "exec")]
    [InlineData("torch", "load")] // a real torch function, but not one a state dict needs
    [InlineData("torch._utils", "_rebuild_qtensor")]
    [InlineData("collections", "defaultdict")]
    public void StackGlobalIsResolvedAgainstTheSameAllowList(string module, string name)
    {
        using var dir = Repo.Temp();
        var pickle = new PickleBuilder().Str(module).Str(name).Op(0x93).Str("x").Op(0x85).Reduce().Stop().ToArray();
        var e = Refused(Archive(dir, pickle));
        Assert.Contains($"it asks for {module}.{name}", e.Message);
    }

    [Fact]
    public void PicklesFromPythonsOwnPicklerAreRead()
    {
        // pickle.dumps({'a': [1, 2.5, 'x', None, True, (1, 2)], 'b': b'\x00\x01\xff', 'c': -2**40,
        //               (1, 'k'): 'tuple key', 'd': OrderedDict([('z', 1)])}, protocol=4)
        // (FRAME, SHORT_BINUNICODE, MEMOIZE, SHORT_BINBYTES, STACK_GLOBAL, LONG1), and protocol 2's
        // bytes as _codecs.encode('\x00\x01\xff', 'latin1').
        using var dir = Repo.Temp();
        string p4 = Archive(dir, Convert.FromHexString(
            "8004957a000000000000007d94288c0161945d94284b014740040000000000008c0178944e884b014b028694658c01629443030001ff948c0163948a06" +
            "0000000000ff4b018c016b9486948c097475706c65206b6579948c0164948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c017a944b0173752e"));
        var root = Assert.IsType<PickleDict>(TorchPickle.Load(p4));
        Assert.Equal(new List<object?> { 1L, 2.5, "x", null, true, new object?[] { 1L, 2L } }, root["a"]);
        Assert.Equal(new byte[] { 0, 1, 255 }, root["b"]);
        Assert.Equal(-(1L << 40), root["c"]);
        Assert.Equal("tuple key", root[new object?[] { 1L, "k" }]);
        var od = Assert.IsType<PickleDict>(root["d"]);
        Assert.True(od.IsOrderedDict);
        Assert.Equal(1L, od["z"]);

        string p2 = dir["p2.pt"];
        PickleBuilder.WriteArchive(p2, Convert.FromHexString(
            "80027d71005801000000627101635f636f646563730a656e636f64650a710258040000000001c3bf710358060000006c6174696e317104867105527106732e"));
        Assert.Equal(new byte[] { 0, 1, 255 }, Assert.IsType<PickleDict>(TorchPickle.Load(p2))["b"]);
    }

    [Fact]
    public void NestedTupleKeysAreRefused()
    {
        // pickle.dumps({(1, (2,)): 0}, protocol=2): hashing nested keys recurses, so they are not accepted.
        using var dir = Repo.Temp();
        var e = Assert.Throws<InvalidInputException>(() => TorchPickle.Load(Archive(dir, Convert.FromHexString("80027d71004b014b028571018671024b00732e"))));
        Assert.Contains("dict key of type tuple is not supported", e.Message);
    }

    [Fact]
    public void ATruncatedArchiveIsReported()
    {
        using var dir = Repo.Temp();
        var bytes = File.ReadAllBytes(VitTinyWeights.File("model.state_dict.pt"));
        string path = dir["truncated.pt"];
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated or damaged", e.Message);
    }

    [Fact]
    public void AnArchiveWithoutDataPklIsNotATorchSaveFile()
    {
        using var dir = Repo.Temp();
        var e = Refused(Archive(dir, null, ("data/0", PickleBuilder.Floats(1))));
        Assert.Contains("has no 'archive/data.pkl'", e.Message);
    }

    [Fact]
    public void AMissingStorageEntryIsNamed()
    {
        using var dir = Repo.Temp();
        var pickle = new PickleBuilder().Op('}').Str("w").Tensor("FloatStorage", "5", 2, 0, [2], [1]).Op('s').Stop().ToArray();
        var e = Refused(Archive(dir, pickle, ("data/0", PickleBuilder.Floats(1, 2))));
        Assert.Contains("refers to storage '5' but the archive has no entry 'archive/data/5'", e.Message);
    }

    [Fact]
    public void AStorageOfTheWrongSizeIsReported()
    {
        using var dir = Repo.Temp();
        var pickle = new PickleBuilder().Op('}').Str("w").Tensor("FloatStorage", "0", 3, 0, [3], [1]).Op('s').Stop().ToArray();
        var e = Refused(Archive(dir, pickle, ("data/0", PickleBuilder.Floats(1, 2))));
        Assert.Contains("'archive/data/0' holds 8 bytes but data.pkl describes a storage of 12 bytes", e.Message);
    }

    [Fact]
    public void AViewReachingPastItsStorageIsRefused()
    {
        using var dir = Repo.Temp();
        var pickle = new PickleBuilder().Op('}').Str("w").Tensor("FloatStorage", "0", 4, 2, [2, 2], [2, 1]).Op('s').Stop().ToArray();
        var e = Refused(Archive(dir, pickle, ("data/0", PickleBuilder.Floats(1, 2, 3, 4))));
        Assert.Contains("reaches past the end of storage '0' (4 elements)", e.Message);
    }

    [Fact]
    public void AQuantizedTensorIsReportedByName()
    {
        using var dir = Repo.Temp();
        var pickle = new PickleBuilder().Op('}').Str("layer.weight").Tensor("QInt8Storage", "0", 4, 0, [4], [1]).Op('s').Stop().ToArray();
        string path = Archive(dir, pickle, ("data/0", [1, 2, 3, 4]));
        Assert.IsType<UnloadableTensor>(Assert.IsType<PickleDict>(TorchPickle.Load(path))["layer.weight"]);
        var e = Refused(path);
        Assert.Contains("tensor 'layer.weight' has dtype QInt8Storage, which Dspt cannot load", e.Message);
    }

    /// <summary>torch 2.x: _rebuild_tensor_v3(UntypedStorage, offset, size, stride, requires_grad, hooks, dtype).</summary>
    static byte[] V3Pickle(string name, string dtype, int bytes, int[] size) =>
        new PickleBuilder().Op('}').Str(name)
            .Global("torch._utils", "_rebuild_tensor_v3").Mark()
            .Storage("UntypedStorage", "0", bytes).Int(0).Ints(size).Ints(size.Length == 1 ? [1] : []).False()
            .Global("collections", "OrderedDict").Op(')').Reduce().Global("torch", dtype)
            .Tuple().Reduce().Op('s').Stop().ToArray();

    [Fact]
    public void AFloat8TensorIsReportedByName()
    {
        using var dir = Repo.Temp();
        var e = Refused(Archive(dir, V3Pickle("w8", "float8_e4m3fn", 4, [4]), ("data/0", [1, 2, 3, 4])));
        Assert.Contains("tensor 'w8' has dtype float8_e4m3fn", e.Message);
    }

    [Fact]
    public void AnUntypedStorageIsReadWithTheDtypeOfTheRebuildCall()
    {
        using var dir = Repo.Temp();
        // Two float16 numbers, 1.0 (0x3C00) and -2.0 (0xC000), little-endian.
        var loaded = TorchPickle.LoadStateDict(Archive(dir, V3Pickle("h", "float16", 4, [2]), ("data/0", [0x00, 0x3C, 0x00, 0xC0])));
        Assert.Equal(ScalarType.Float16, loaded["h"].dtype);
        Assert.Equal(new[] { 1f, -2f }, loaded["h"].to(ScalarType.Float32).data<float>().ToArray());
        loaded.DisposeAll();
    }

    [Fact]
    public void ABigEndianArchiveIsRefused()
    {
        using var dir = Repo.Temp();
        var pickle = new PickleBuilder().Op('}').Str("w").Tensor("FloatStorage", "0", 1, 0, [1], [1]).Op('s').Stop().ToArray();
        string path = Archive(dir, pickle, ("byteorder", "big"u8.ToArray()), ("data/0", [0x3f, 0x80, 0, 0]));
        Assert.Contains("'archive/byteorder' says 'big'; only little-endian checkpoints are supported", Refused(path).Message);
    }

    [Fact]
    public void TheLegacyFormatIsNamed()
    {
        using var dir = Repo.Temp();
        string path = dir["old.pt"];
        // torch < 1.6 files start with a pickled magic number: PROTO 2, LONG1 0x1950a86a20f9469cfc6c.
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        Assert.Contains("legacy (pre-1.6) torch.save format; re-save with torch >= 1.6", Refused(path).Message);
    }

    [Fact]
    public void ARandomFileIsNotAZipArchive()
    {
        using var dir = Repo.Temp();
        string path = dir["random.bin"];
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        bytes[0] = 0x17;
        File.WriteAllBytes(path, bytes);
        Assert.Contains($"{path}: not a zip archive", Refused(path).Message);
    }

    [Fact]
    public void AnUnsupportedOpcodeIsNamedWithItsOffset()
    {
        using var dir = Repo.Temp();
        // 'I' is protocol 0's text INT; torch never writes it.
        var pickle = new PickleBuilder().Op('I').Stop().ToArray();
        Assert.Contains("offset 2: unsupported pickle opcode 0x49 ('I')", Refused(Archive(dir, pickle)).Message);
    }

    [Fact]
    public void APickleWithoutStopIsTruncated()
    {
        using var dir = Repo.Temp();
        var pickle = new PickleBuilder().Op('}').ToArray();
        Assert.Contains("ends without a STOP opcode", Refused(Archive(dir, pickle)).Message);
    }

    [Fact]
    public void ATorchScriptArchiveIsSentElsewhere()
    {
        var e = Refused(VitTinyWeights.File("model.jit.pt"));
        Assert.Contains("TorchScript archive", e.Message);
    }

    [Fact]
    public void ACheckpointWithoutTensorsHasNoStateDict()
    {
        using var dir = Repo.Temp();
        string path = dir["meta.pt"];
        TorchPickle.Save(path, new PickleDict { ["epoch"] = 3L, ["note"] = "no weights" });
        var e = Refused(path);
        Assert.Contains("no state dict found: the top level holds 'epoch' (Int64), 'note' (String)", e.Message);
        Assert.Contains("'state_dict'", e.Message);
    }
}
