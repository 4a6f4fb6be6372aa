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
    public void ADamagedTorchScriptArchiveIsReported()
    {
        using var dir = Repo.Temp();
        string path = dir["broken.jit.pt"];
        PickleBuilder.WriteArchive(path, [0x80, 0x02, 0x7d], ("constants.pkl", [0x80, 0x02]));
        var e = Assert.Throws<InvalidInputException>(() => TorchScriptArchive.LoadStateDict(path));
        Assert.Contains($"{path}: LibTorch cannot read this TorchScript archive", e.Message);
    }
}
