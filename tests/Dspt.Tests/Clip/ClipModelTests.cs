using Dspt.Clip;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.Clip;

public class ClipModelTests
{
    /// <summary>
    /// Tolerances from the fixture manifests ("suggested_float32_tolerance_for_a_port"): 20x the
    /// largest deviation between float32 reruns (threads, batching) and a float64 run of the same
    /// weights. rn-tiny's image features have magnitude ~17, hence its larger atol.
    /// </summary>
    public static TheoryData<string, double, double, double> Models => new()
    {
        { "vit-tiny", 2e-5, 5e-5, 7e-5 },
        { "rn-tiny", 2e-3, 6e-5, 2e-4 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    [Trait("Category", "Slow")]
    public void MatchesOpenAiReferenceOutputs(string name, double atolImage, double atolText, double atolLogits)
    {
        var dir = Repo.Fixture("clip-models", name);
        var refs = Safetensors.Load(Path.Combine(dir, "refs.safetensors"));
        using var model = ClipModel.FromStateDict(Safetensors.Load(Path.Combine(dir, "weights.openai.safetensors")), name);
        using var _ = no_grad();
        TensorAssert.Close(refs["encode_image"], model.EncodeImage(refs["images"]), atolImage, 1e-4, "encode_image");
        TensorAssert.Close(refs["encode_text"], model.EncodeText(refs["tokens"]), atolText, 1e-4, "encode_text");
        var (perImage, perText) = model.forward(refs["images"], refs["tokens"]);
        TensorAssert.Close(refs["logits_per_image"], perImage, atolLogits, 1e-4, "logits_per_image");
        TensorAssert.Close(refs["logits_per_text"], perText, atolLogits, 1e-4, "logits_per_text");
        TensorAssert.Close(refs["logit_scale_exp"], model.LogitScale.exp(), 0, 1e-6, "logit_scale_exp");
    }

    [Fact]
    public void InfersTheFixtureConfigsLikeBuildModel()
    {
        var vit = ClipConfig.Infer(Safetensors.Load(Repo.Fixture("clip-models", "vit-tiny", "weights.openai.safetensors")), "vit-tiny");
        Assert.Equal(new ClipConfig(64, 32, [2], 128, 8, 77, 49408, 128, 2, 2), vit);
        Assert.Equal(2, vit.VisionHeads);
        var rn = ClipConfig.Infer(Safetensors.Load(Repo.Fixture("clip-models", "rn-tiny", "weights.openai.safetensors")), "rn-tiny");
        Assert.Equal(new ClipConfig(64, 64, [1, 1, 1, 1], 32, null, 77, 49408, 128, 2, 2), rn);
        Assert.Equal(16, rn.VisionHeads);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ReportsMissingUnexpectedAndMisshapedTensorsByName()
    {
        var path = Repo.Fixture("clip-models", "vit-tiny", "weights.openai.safetensors");
        var sd = Safetensors.Load(path);

        var missing = new Dictionary<string, Tensor>(sd);
        missing.Remove("transformer.resblocks.1.ln_2.bias");
        var e1 = Assert.Throws<InvalidInputException>(() => ClipModel.FromStateDict(missing, path));
        Assert.Contains(path, e1.Message);
        Assert.Contains("missing tensor 'transformer.resblocks.1.ln_2.bias'", e1.Message);

        var extra = new Dictionary<string, Tensor>(sd) { ["visual.extra_head.weight"] = zeros(3) };
        var e2 = Assert.Throws<InvalidInputException>(() => ClipModel.FromStateDict(extra, path));
        Assert.Contains("unexpected tensor 'visual.extra_head.weight'", e2.Message);

        var misshaped = new Dictionary<string, Tensor>(sd) { ["ln_final.bias"] = zeros(127) };
        var e3 = Assert.Throws<InvalidInputException>(() => ClipModel.FromStateDict(misshaped, path));
        Assert.Contains("'ln_final.bias' has shape [127], expected [128]", e3.Message);

        var notClip = new Dictionary<string, Tensor> { ["fc.weight"] = zeros(2, 2) };
        var e4 = Assert.Throws<InvalidInputException>(() => ClipModel.FromStateDict(notClip, path));
        Assert.Contains("missing tensor", e4.Message);
    }

    [Fact]
    public void TruncatedTextTowerEqualsFullLengthOne()
    {
        // Causal attention + reading at EOT: positions after the last EOT never matter, so
        // running only up to it must give the same features (bit-exactness is not promised by
        // BLAS for different shapes; 1e-5 is ~10x float32 noise at these magnitudes).
        var dir = Repo.Fixture("clip-models", "vit-tiny");
        var refs = Safetensors.Load(Path.Combine(dir, "refs.safetensors"));
        using var model = ClipModel.FromStateDict(Safetensors.Load(Path.Combine(dir, "weights.openai.safetensors")), "vit-tiny");
        using var _ = no_grad();
        var tokens = refs["tokens"];
        var eot = tokens.argmax(-1);
        long last = eot.max().item<long>() + 1;
        var emb = model.TokenEmbedding.forward(tokens);
        var full = model.EncodeTextEmbeddings(emb, eot);
        var truncated = model.EncodeTextEmbeddings(emb.narrow(1, 0, last), eot);
        TensorAssert.Close(full, truncated, 1e-5, 1e-5, "truncated text tower");
        TensorAssert.Close(refs["encode_text"], full, 5e-5, 1e-4, "embedding path");
    }
}
