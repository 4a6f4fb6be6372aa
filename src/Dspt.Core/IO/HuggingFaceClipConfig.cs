using System.Text.Json;

namespace Dspt.IO;

/// <summary>
/// The parts of a Hugging Face <c>CLIPConfig</c> (config.json) that fix a ViT CLIP's shapes. Fields
/// missing from the file take transformers' defaults, as <c>CLIPConfig.from_pretrained</c> does.
/// Only configurations with OpenAI CLIP's semantics are accepted: QuickGELU, LayerNorm eps 1e-5,
/// head width 64, MLP width 4x.
/// </summary>
public sealed record HuggingFaceClipConfig(
    int ProjectionDim,
    int ImageSize,
    int PatchSize,
    int VisionWidth,
    int VisionLayers,
    int VisionHeads,
    int TextWidth,
    int TextLayers,
    int TextHeads,
    int ContextLength,
    int VocabSize)
{
    public int Grid => ImageSize / PatchSize;

    // Sane limits, far above every published CLIP (ViT-bigG: 48 layers, width 1664), so that a
    // hostile config cannot make the loader plan billions of tensors.
    const int MaxLayers = 1024, MaxWidth = 1 << 16, MaxImageSize = 1 << 14, MaxContext = 1 << 16, MaxVocab = 1 << 24;

    public static HuggingFaceClipConfig Read(string configPath)
    {
        using var doc = JsonFile.Parse(configPath);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidInputException($"{configPath}: expected a JSON object (a CLIPConfig)");
        var reader = new Reader(configPath);
        string modelType = reader.String(root, "model_type", "clip");
        if (modelType != "clip")
            throw new InvalidInputException($"{configPath}: model_type is '{modelType}'; only 'clip' (CLIPModel) checkpoints are supported");
        var text = reader.Section(root, "text_config");
        var vision = reader.Section(root, "vision_config");

        var config = new HuggingFaceClipConfig(
            ProjectionDim: reader.Int(root, "projection_dim", 512, MaxWidth),
            ImageSize: reader.Int(vision, "vision_config.image_size", 224, MaxImageSize),
            PatchSize: reader.Int(vision, "vision_config.patch_size", 32, MaxImageSize),
            VisionWidth: reader.Int(vision, "vision_config.hidden_size", 768, MaxWidth),
            VisionLayers: reader.Int(vision, "vision_config.num_hidden_layers", 12, MaxLayers),
            VisionHeads: reader.Int(vision, "vision_config.num_attention_heads", 12, MaxWidth),
            TextWidth: reader.Int(text, "text_config.hidden_size", 512, MaxWidth),
            TextLayers: reader.Int(text, "text_config.num_hidden_layers", 12, MaxLayers),
            TextHeads: reader.Int(text, "text_config.num_attention_heads", 8, MaxWidth),
            ContextLength: reader.Int(text, "text_config.max_position_embeddings", 77, MaxContext),
            VocabSize: reader.Int(text, "text_config.vocab_size", 49408, MaxVocab));

        foreach (var (section, prefix, width, heads, mlpDefault) in new[]
        {
            (text, "text_config", config.TextWidth, config.TextHeads, 2048),
            (vision, "vision_config", config.VisionWidth, config.VisionHeads, 3072),
        })
        {
            string act = reader.String(section, $"{prefix}.hidden_act", "quick_gelu");
            if (act != "quick_gelu")
                throw new InvalidInputException($"{configPath}: {prefix}.hidden_act is '{act}'; OpenAI CLIP uses 'quick_gelu' (x * sigmoid(1.702 x))");
            double eps = reader.Double(section, $"{prefix}.layer_norm_eps", 1e-5);
            if (Math.Abs(eps - 1e-5) > 1e-12)
                throw new InvalidInputException($"{configPath}: {prefix}.layer_norm_eps is {eps}; OpenAI CLIP's LayerNorm uses 1e-5");
            // build_model infers heads as width // 64; a config that says otherwise is another model.
            if (width % 64 != 0 || heads != width / 64)
                throw new InvalidInputException($"{configPath}: {prefix}.num_attention_heads is {heads} for hidden_size {width}; OpenAI CLIP has 64-wide heads ({width / 64})");
            int mlp = reader.Int(section, $"{prefix}.intermediate_size", mlpDefault, 4 * MaxWidth);
            if (mlp != 4 * width)
                throw new InvalidInputException($"{configPath}: {prefix}.intermediate_size is {mlp}; OpenAI CLIP's MLP is 4 x hidden_size = {4 * width}");
        }
        int channels = reader.Int(vision, "vision_config.num_channels", 3, 16);
        if (channels != 3)
            throw new InvalidInputException($"{configPath}: vision_config.num_channels is {channels}; expected 3 (RGB)");
        if (config.ImageSize % config.PatchSize != 0)
            throw new InvalidInputException($"{configPath}: vision_config.image_size {config.ImageSize} is not a multiple of patch_size {config.PatchSize}");
        return config;
    }

    sealed class Reader(string path)
    {
        public JsonElement? Section(JsonElement root, string name) =>
            !root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
            : v.ValueKind == JsonValueKind.Object ? v
            : throw new InvalidInputException($"{path}: '{name}' must be an object");

        JsonElement? Field(JsonElement? section, string dotted)
        {
            string name = dotted[(dotted.LastIndexOf('.') + 1)..];
            return section is { } s && s.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
        }

        public int Int(JsonElement? section, string dotted, int fallback, int max) => Field(section, dotted) is not { } v ? fallback
            : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int x) && x > 0 && x <= max ? x
            : throw new InvalidInputException($"{path}: '{dotted}' must be a positive integer of at most {max}, not {v.GetRawText()}");

        public double Double(JsonElement? section, string dotted, double fallback) => Field(section, dotted) is not { } v ? fallback
            : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : throw new InvalidInputException($"{path}: '{dotted}' must be a number");

        public string String(JsonElement? section, string dotted, string fallback) => Field(section, dotted) is not { } v ? fallback
            : v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new InvalidInputException($"{path}: '{dotted}' must be a string");
    }
}
