using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.IO;

public class TorchScriptArchiveTests(VitTinyWeights weights) : IClassFixture<VitTinyWeights>
{
    static string JitPt => VitTinyWeights.File("model.jit.pt");

    [Fact]
    public void TheJitArchiveHoldsTheSafetensorsWeightsExactly()
    {
        var loaded = TorchScriptArchive.LoadStateDict(JitPt);
        try
        {
            // Same names (the three scalar buffers dropped), stored F16 dtype, identical bits.
            StateDictAssert.Identical(weights.F16, loaded);
            Assert.All(loaded.Values, t => Assert.False(t.requires_grad));
        }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    public void TheArchiveReallyCarriesTheScalarsThatAreDropped()
    {
        using var module = jit.load(JitPt);
        var buffers = module.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        Assert.Equal(32L, buffers["input_resolution"].item<long>());
        Assert.Equal(77L, buffers["context_length"].item<long>());
        Assert.Equal(49408L, buffers["vocab_size"].item<long>());
    }

    [Fact]
    public void ATorchSaveFileIsNotTorchScript()
    {
        var e = Assert.Throws<InvalidInputException>(() => TorchScriptArchive.LoadStateDict(VitTinyWeights.File("model.state_dict.pt")));
        Assert.Contains("not a TorchScript archive", e.Message);
    }

    [Fact]
    public void TheOwnReaderGivesWhatLibTorchsLoaderGives()
    {
        // LibTorch's loader only runs here, in the test, on the trusted fixture.
        using var module = jit.load(JitPt);
        var expected = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (b.name, b.buffer)))
            .Where(p => !TorchScriptArchive.DroppedBuffers.Contains(p.name))
            .ToDictionary(p => p.name, p => p.Item2);
        var loaded = TorchScriptArchive.LoadStateDict(JitPt);
        try { StateDictAssert.Identical(expected, loaded); }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    public void ADamagedTorchScriptArchiveIsReported()
    {
        using var dir = Repo.Temp();
        string path = dir["broken.jit.pt"];
        PickleBuilder.WriteArchive(path, [0x80, 0x02, 0x7d], ("constants.pkl", [0x80, 0x02]));
        var e = Assert.Throws<InvalidInputException>(() => TorchScriptArchive.LoadStateDict(path));
        Assert.Contains($"{path} (archive/data.pkl)", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    /// <summary>What torch.jit.load would run while unpickling: the class's __setstate__ prints,
    /// writes a file through torch.from_file(..., shared=True) and then never returns.</summary>
    static string EvilCode(string marker) => $$"""
        class Evil(Module):
          __parameters__ = []
          __buffers__ = []
          training : bool
          def __getstate__(self: __torch__.Evil) -> Tuple[int]:
            return (1,)
          def __setstate__(self: __torch__.Evil, state: Tuple[int]) -> NoneType:
            print("pwned")
            _0 = torch.from_file("{{marker}}", True, 16)
            _1 = torch.fill_(_0, 1)
            while True:
              _2 = torch.add(_0, 1)
            return None

        """;

    static string EvilArchive(TempDir dir, string marker, byte[] pickle)
    {
        string path = dir["evil.pt"];
        PickleBuilder.WriteArchive(path, pickle,
            ("code/__torch__.py", System.Text.Encoding.UTF8.GetBytes(EvilCode(marker))),
            ("constants.pkl", [0x80, 0x02, (byte)')', (byte)'.']));
        return path;
    }

    [Fact]
    public void AClassWithItsOwnSetStateIsRefusedWithoutRunningIt()
    {
        using var dir = Repo.Temp();
        string marker = dir["pwned.bin"];
        // __torch__.Evil() then BUILD with the tuple (1,): jit.load would call Evil.__setstate__((1,)).
        var pickle = new PickleBuilder().Global("__torch__", "Evil").Op(')').Op(0x81).Int(1).Op(0x85).Op('b').Stop().ToArray();
        string path = EvilArchive(dir, marker, pickle);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<InvalidInputException>(() => TorchScriptArchive.LoadStateDict(path));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Contains($"{path} (archive/data.pkl)", e.Message);
        Assert.Contains("__torch__.Evil is given a tuple state", e.Message);
        Assert.Contains("__setstate__", e.Message);
        Assert.False(File.Exists(marker));
        // And through the one entry point every command uses.
        Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict(path, out _));
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("builtins", "eval")]
    [InlineData("os", "system")]
    [InlineData("torch", "from_file")]
    public void GlobalsOutsideTheAllowListAreRefusedInsideAModule(string module, string name)
    {
        using var dir = Repo.Temp();
        string marker = dir["pwned.bin"];
        // __torch__.Evil() whose attribute 'x' is module.name(marker): the payload sits inside a
        // legitimate-looking module, where only the weights are expected.
        var pickle = new PickleBuilder().Global("__torch__", "Evil").Op(')').Op(0x81)
            .Op('}').Mark().Str("x").Global(module, name).Str(marker).Op(0x85).Reduce().Op('u')
            .Op('b').Stop().ToArray();
        string path = EvilArchive(dir, marker, pickle);

        var e = Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict(path, out _));
        Assert.Contains($"{path} (archive/data.pkl)", e.Message);
        Assert.Contains($"it asks for {module}.{name}", e.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void AModuleTreeGivesDottedNamesAndSkipsWhatIsNotATensor()
    {
        using var dir = Repo.Temp();
        // Root(training=True, w=tensor[2], sub=Sub(b=tensor[1]), vocab_size=tensor[1] int64)
        var pickle = new PickleBuilder().Global("__torch__", "Root").Op(')').Op(0x81)
            .Op('}').Mark()
                .Str("training").Op(0x88)
                .Str("w").Tensor("FloatStorage", "0", 2, 0, [2], [1])
                .Str("sub").Global("__torch__.___torch_mangle_1", "Sub").Op(')').Op(0x81)
                    .Op('}').Mark().Str("b").Tensor("FloatStorage", "1", 1, 0, [1], [1]).Op('u').Op('b')
                .Str("vocab_size").Tensor("LongStorage", "2", 1, 0, [], [])
            .Op('u').Op('b').Stop().ToArray();
        string path = dir["tree.pt"];
        PickleBuilder.WriteArchive(path, pickle,
            ("data/0", PickleBuilder.Floats(1.5f, -2f)), ("data/1", PickleBuilder.Floats(3f)),
            ("data/2", BitConverter.GetBytes(49408L)), ("constants.pkl", [0x80, 0x02, (byte)')', (byte)'.']));
        var loaded = TorchScriptArchive.LoadStateDict(path);
        try
        {
            Assert.Equal(["sub.b", "w"], loaded.Keys.Order(StringComparer.Ordinal));
            Assert.Equal([1.5f, -2f], loaded["w"].data<float>().ToArray());
            Assert.Equal([3f], loaded["sub.b"].data<float>().ToArray());
        }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    public void NoLibTorchLoaderIsLeftInTheLibrary()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Repo.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("jit.load", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repo.Root, f));
        Assert.Empty(offenders);
    }
}
