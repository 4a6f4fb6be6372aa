using System.Security.Cryptography;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.IO;

public class CheckpointLoaderTests(VitTinyWeights weights) : IClassFixture<VitTinyWeights>
{
    [Theory]
    [InlineData("weights.openai.safetensors", CheckpointFormat.Safetensors, "weights.openai.safetensors", "Float16")]
    [InlineData("model.state_dict.pt", CheckpointFormat.TorchSave, "model.state_dict.pt", "Float32")]
    [InlineData("model.jit.pt", CheckpointFormat.TorchScript, "model.jit.pt", "Float16")]
    [InlineData("hf", CheckpointFormat.HuggingFace, "hf/model.safetensors", "Float16")]
    [Trait("Category", "Slow")]
    public void EveryFormatGivesTheSameFloat32StateDict(string name, CheckpointFormat format, string weightsFile, string storedDType)
    {
        string path = VitTinyWeights.File(name);
        var loaded = CheckpointLoader.LoadStateDict(path, out var info);
        try { StateDictAssert.Identical(weights.F16, loaded, ScalarType.Float32); }
        finally { loaded.DisposeAll(); }

        Assert.Equal(path, info.Path);
        Assert.Equal(format, info.Format);
        Assert.Equal(VitTinyWeights.File(weightsFile), info.WeightsFile);
        // Independent hash of the whole file read at once (the loader streams it).
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(info.WeightsFile))), info.Sha256);
        Assert.Equal(new Dictionary<string, int> { [storedDType] = weights.F16.Count }, info.OriginalDTypes);
    }

    [Fact]
    public void Sha256IsTheStandardDigest()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["abc"], "abc");
        // FIPS 180-2 test vector for "abc".
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ContentHash.OfFile(dir["abc"]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ResNetWeightsKeepTheirIntegerBuffers()
    {
        string path = Repo.Fixture("clip-models", "rn-tiny", "weights.openai.safetensors");
        var stored = Safetensors.Load(path);
        var loaded = CheckpointLoader.LoadStateDict(path, out var info);
        try
        {
            StateDictAssert.Identical(stored, loaded, ScalarType.Float32);
            var counters = loaded.Where(kv => kv.Key.EndsWith(".num_batches_tracked")).ToList();
            Assert.NotEmpty(counters);
            Assert.All(counters, kv => Assert.Equal(ScalarType.Int64, kv.Value.dtype));
            Assert.Equal(counters.Count, info.OriginalDTypes["Int64"]);
            Assert.Equal(stored.Count - counters.Count, info.OriginalDTypes["Float16"]);
        }
        finally
        {
            stored.DisposeAll();
            loaded.DisposeAll();
        }
    }

    [Fact]
    public void Float64CanBeRequested()
    {
        var loaded = CheckpointLoader.LoadStateDict(VitTinyWeights.File("weights.openai.safetensors"), out _, ScalarType.Float64);
        try { StateDictAssert.Identical(weights.F16, loaded, ScalarType.Float64); }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    public void AComplexTensorIsReportedByName()
    {
        using var dir = Repo.Temp();
        string path = dir["complex.pt"];
        using var w = ones(2, 2);
        using var z = complex(ones(3), zeros(3));
        TorchPickle.Save(path, new PickleDict { IsOrderedDict = true, ["w"] = w, ["freq"] = z });
        var e = Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict(path, out _));
        Assert.Contains($"{path}: tensor 'freq' has dtype ComplexFloat32, which is not supported", e.Message);
    }

    [Fact]
    public void AHuggingFaceFileOutsideItsFolderIsSentToTheFolder()
    {
        var e = Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict(VitTinyWeights.File("hf/model.safetensors"), out _));
        Assert.Contains("holds Hugging Face CLIPModel names", e.Message);
        Assert.Contains("pass the model's folder", e.Message);
    }

    [Fact]
    public void SafetensorsIsRecognisedByContentWhateverTheName()
    {
        using var dir = Repo.Temp();
        string path = dir["weights.bin"];
        File.Copy(VitTinyWeights.File("weights.openai.safetensors"), path);
        Assert.Equal(CheckpointFormat.Safetensors, CheckpointLoader.DetectFormat(path));
    }

    [Fact]
    public void ARandomFileListsTheSupportedFormats()
    {
        using var dir = Repo.Temp();
        string path = dir["random.ckpt"];
        var bytes = new byte[1000];
        new Random(3).NextBytes(bytes);
        bytes[0] = 0x42;
        bytes[8] = 0x00;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict(path, out _));
        Assert.Contains($"{path}: unrecognised checkpoint format; supported: .safetensors", e.Message);
        Assert.Contains("Hugging Face CLIPModel folders", e.Message);
    }

    [Fact]
    public void AFolderWithoutConfigIsNotAModel()
    {
        using var dir = Repo.Temp();
        var e = Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict(dir.Path, out _));
        Assert.Contains("a folder without config.json", e.Message);
    }

    [Fact]
    public void AMissingPathIsNamed()
    {
        var e = Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict("/nonexistent/ViT-B-32.pt", out _));
        Assert.Equal("/nonexistent/ViT-B-32.pt: no such file or folder", e.Message);
    }

    [Fact]
    public void ATruncatedSafetensorsFileIsReported()
    {
        using var dir = Repo.Temp();
        string path = dir["cut.safetensors"];
        var bytes = File.ReadAllBytes(VitTinyWeights.File("weights.openai.safetensors"));
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidInputException>(() => CheckpointLoader.LoadStateDict(path, out _));
        Assert.Contains(path, e.Message);
    }
}
