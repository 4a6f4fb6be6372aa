using System.Text.Json.Nodes;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.IO;

public class HuggingFaceClipTests(VitTinyWeights weights) : IClassFixture<VitTinyWeights>
{
    static string HfDir => VitTinyWeights.File("hf");

    /// <summary>A copy of hf/ whose config.json and tensors a test may change.</summary>
    static string CopyOfHf(TempDir dir, Action<JsonObject>? editConfig = null, Action<Dictionary<string, Tensor>>? editTensors = null, bool asPickle = false)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(HfDir, "config.json")))!.AsObject();
        editConfig?.Invoke(config);
        File.WriteAllText(dir["config.json"], config.ToJsonString());
        var tensors = Safetensors.Load(Path.Combine(HfDir, "model.safetensors"));
        try
        {
            editTensors?.Invoke(tensors);
            if (asPickle) TorchPickle.Save(dir["pytorch_model.bin"], new PickleDict { IsOrderedDict = true }.With(tensors));
            else Safetensors.Save(dir["model.safetensors"], tensors);
        }
        finally { tensors.DisposeAll(); }
        return dir.Path;
    }

    static InvalidInputException Refused(string dir) =>
        Assert.Throws<InvalidInputException>(() => HuggingFaceClip.LoadStateDict(dir));

    [Fact]
    public void TheHfFolderMapsToTheOpenAIStateDictExactly()
    {
        var loaded = HuggingFaceClip.LoadStateDict(HfDir, out var config);
        try { StateDictAssert.Identical(weights.F16, loaded); }
        finally { loaded.DisposeAll(); }
        Assert.Equal(new HuggingFaceClipConfig(ProjectionDim: 64, ImageSize: 32, PatchSize: 8, VisionWidth: 128, VisionLayers: 2,
            VisionHeads: 2, TextWidth: 128, TextLayers: 2, TextHeads: 2, ContextLength: 77, VocabSize: 49408), config);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void NewerCheckpointsWithoutPositionIdsLoadTheSame()
    {
        using var dir = Repo.Temp();
        CopyOfHf(dir, editTensors: t =>
        {
            Assert.True(t.Remove("text_model.embeddings.position_ids", out var a));
            Assert.True(t.Remove("vision_model.embeddings.position_ids", out var b));
            a.Dispose();
            b.Dispose();
        });
        var loaded = HuggingFaceClip.LoadStateDict(dir.Path);
        try { StateDictAssert.Identical(weights.F16, loaded); }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void PytorchModelBinIsReadWhenThereIsNoSafetensors()
    {
        using var dir = Repo.Temp();
        CopyOfHf(dir, asPickle: true);
        Assert.False(File.Exists(dir["model.safetensors"]));
        var loaded = HuggingFaceClip.LoadStateDict(dir.Path);
        try { StateDictAssert.Identical(weights.F16, loaded); }
        finally { loaded.DisposeAll(); }
    }

    [Fact]
    public void AnUnknownKeyIsNamed()
    {
        using var dir = Repo.Temp();
        CopyOfHf(dir, editTensors: t => t["vision_model.encoder.layers.2.mlp.fc1.weight"] = zeros(512, 128, dtype: ScalarType.Float16));
        var e = Refused(dir.Path);
        Assert.Contains($"{dir["model.safetensors"]}: unknown key 'vision_model.encoder.layers.2.mlp.fc1.weight'", e.Message);
    }

    [Fact]
    public void AMissingKeyIsNamed()
    {
        using var dir = Repo.Temp();
        CopyOfHf(dir, editTensors: t => { t.Remove("text_model.encoder.layers.1.self_attn.k_proj.bias", out var k); k!.Dispose(); });
        Assert.Contains("missing key 'text_model.encoder.layers.1.self_attn.k_proj.bias'", Refused(dir.Path).Message);
    }

    [Fact]
    public void AShapeThatContradictsTheConfigIsReported()
    {
        using var dir = Repo.Temp();
        CopyOfHf(dir, editConfig: c => c["vision_config"]!["image_size"] = 40);
        Assert.Contains("'vision_model.embeddings.position_embedding.weight' has shape [17, 128] but config.json implies [26, 128]", Refused(dir.Path).Message);
    }

    [Theory]
    [InlineData("text_config", "hidden_act", "gelu", "text_config.hidden_act is 'gelu'; OpenAI CLIP uses 'quick_gelu'")]
    [InlineData("vision_config", "layer_norm_eps", 1e-6, "vision_config.layer_norm_eps is 1E-06; OpenAI CLIP's LayerNorm uses 1e-5")]
    [InlineData("vision_config", "num_attention_heads", 4, "vision_config.num_attention_heads is 4 for hidden_size 128; OpenAI CLIP has 64-wide heads (2)")]
    [InlineData("text_config", "intermediate_size", 256, "text_config.intermediate_size is 256; OpenAI CLIP's MLP is 4 x hidden_size = 512")]
    [InlineData("", "model_type", "siglip", "model_type is 'siglip'; only 'clip'")]
    public void ConfigValuesOutsideOpenAIClipSemanticsAreRefused(string section, string field, object value, string message)
    {
        using var dir = Repo.Temp();
        CopyOfHf(dir, editConfig: c =>
        {
            var target = section == "" ? c : c[section]!.AsObject();
            target[field] = JsonValue.Create(value);
        });
        var e = Refused(dir.Path);
        Assert.Contains(dir["config.json"], e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AFolderWithoutWeightsIsReported()
    {
        using var dir = Repo.Temp();
        File.Copy(Path.Combine(HfDir, "config.json"), dir["config.json"]);
        Assert.Contains("needs model.safetensors or pytorch_model.bin", Refused(dir.Path).Message);
    }
}

static class PickleDictExtensions
{
    public static PickleDict With(this PickleDict dict, IReadOnlyDictionary<string, Tensor> tensors)
    {
        foreach (var (k, v) in tensors) dict[k] = v;
        return dict;
    }
}
