using Dspt.Clip;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Fuzz;

/// <summary>Targets for model files: safetensors, torch.save zips, TorchScript archives,
/// Hugging Face config.json and model folders, and building a CLIP from a state dict.</summary>
public static class ModelTargets
{
    static void DisposeAll(Dictionary<string, Tensor> d) { foreach (var t in d.Values) t.Dispose(); }

    static string Write(string dir, string name, byte[] input)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>A very small ViT CLIP, so that building it per input stays cheap.</summary>
    static readonly ClipConfig Tiny = new(EmbedDim: 16, ImageResolution: 16, VisionLayers: [1], VisionWidth: 64, VisionPatchSize: 8,
        ContextLength: 8, VocabSize: 64, TransformerWidth: 64, TransformerHeads: 1, TransformerLayers: 1);

    static byte[] TinyClipSafetensors(string dir)
    {
        using var model = new ClipModel(Tiny);
        model.InitializeParameters(1);
        var sd = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(ScalarType.Float16));
        try { return Seeds.Written(dir, "clip.safetensors", p => Safetensors.Save(p, sd)); }
        finally { DisposeAll(sd); }
    }

    const string TinyHfConfig = """{"model_type": "clip", "projection_dim": 16, "text_config": {"hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 1, "intermediate_size": 256, "max_position_embeddings": 8, "vocab_size": 64}, "vision_config": {"hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 1, "intermediate_size": 256, "image_size": 16, "patch_size": 8}}""";

    static Dictionary<string, Tensor> SmallStateDict() => new()
    {
        ["a.weight"] = arange(6, ScalarType.Float32).reshape(2, 3),
        ["a.bias"] = ones(4, ScalarType.Float16),
        ["count"] = tensor(3L),
    };

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("safetensors", "Safetensors.Load via CheckpointLoader (header, offsets, dtypes, non-finite check)",
            dir =>
            {
                var sd = SmallStateDict();
                try
                {
                    return
                    [
                        Seeds.Written(dir, "a.safetensors", p => Safetensors.Save(p, sd, new Dictionary<string, string> { ["format"] = "x", ["n"] = "1" })),
                        Seeds.Written(dir, "b.safetensors", p => Safetensors.Save(p, new Dictionary<string, Tensor> { ["e"] = zeros(0, 3) })),
                    ];
                }
                finally { DisposeAll(sd); }
            },
            (dir, input) => DisposeAll(CheckpointLoader.LoadStateDict(Write(dir, "m.safetensors", input), out _)));

        yield return new("clip-model", "ClipLoading.Load of a safetensors CLIP: architecture inference, size limits, strict shapes",
            dir => [TinyClipSafetensors(dir), .. SharedFixtures.Read("clip-models", "vit-tiny", "weights.openai.safetensors"),
                    .. SharedFixtures.Read("clip-models", "rn-tiny", "weights.openai.safetensors")],
            (dir, input) => ClipLoading.Load(Write(dir, "clip.safetensors", input)).Dispose());

        yield return new("torch-zip", "torch.save zip + restricted unpickler via CheckpointLoader",
            dir =>
            {
                var sd = SmallStateDict();
                try
                {
                    var nested = new Dictionary<string, object?> { ["state_dict"] = sd, ["epoch"] = 3L, ["name"] = "x", ["list"] = new List<object?> { 1.5, true, null } };
                    return
                    [
                        Seeds.Written(dir, "a.pt", p => TorchPickle.Save(p, nested)),
                        Seeds.Written(dir, "b.pt", p => TorchPickle.Save(p, new PickleDict { IsOrderedDict = true, ["w"] = sd["a.weight"] })),
                        .. SharedFixtures.Read("clip-models", "vit-tiny", "model.state_dict.pt"),
                    ];
                }
                finally { DisposeAll(sd); }
            },
            (dir, input) => DisposeAll(CheckpointLoader.LoadStateDict(Write(dir, "m.pt", input), out _)));

        yield return new("torchscript", "TorchScript archives read by the restricted unpickler (no LibTorch loader)",
            dir => [ScriptArchiveSeed.Build(), .. SharedFixtures.Read("clip-models", "vit-tiny", "model.jit.pt")],
            (dir, input) => DisposeAll(TorchScriptArchive.LoadStateDict(Write(dir, "m.jit.pt", input))));

        yield return new("hf-config", "Hugging Face config.json (CLIPConfig fields and limits)",
            dir => [Seeds.Utf8("""{"model_type": "clip", "projection_dim": 64, "text_config": {"hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 512, "max_position_embeddings": 77, "vocab_size": 49408, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05}, "vision_config": {"hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 512, "image_size": 32, "patch_size": 8, "num_channels": 3}}"""),
                    .. SharedFixtures.Read("clip-models", "vit-tiny", "hf", "config.json")],
            (dir, input) => HuggingFaceClipConfig.Read(Write(dir, "config.json", input)));

        yield return new("hf-model", "a Hugging Face model folder whose model.safetensors is mutated (name mapping, shapes)",
            dir =>
            {
                File.WriteAllText(Path.Combine(dir, "config.json"), TinyHfConfig);
                var config = HuggingFaceClipConfig.Read(Path.Combine(dir, "config.json"));
                var sd = HuggingFaceClip.ExpectedShapes(config).ToDictionary(kv => kv.Key, kv => (randn(kv.Value) * 0.02).to(ScalarType.Float16));
                try { return [Seeds.Written(dir, "hf.safetensors", p => Safetensors.Save(p, sd))]; }
                finally { DisposeAll(sd); }
            },
            (dir, input) =>
            {
                Write(dir, "model.safetensors", input);
                DisposeAll(CheckpointLoader.LoadStateDict(dir, out _));
            });
    }
}
