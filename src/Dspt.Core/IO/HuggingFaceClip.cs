using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// A Hugging Face ViT <c>CLIPModel</c> folder (config.json plus model.safetensors, or
/// pytorch_model.bin) turned into OpenAI's state dict, the inverse of transformers'
/// convert_clip_original_pytorch_to_hf.py: q/k/v are stacked into in_proj, the projections are
/// transposed back, and every tensor's shape is checked against config.json.
/// </summary>
public static class HuggingFaceClip
{
    public const string ConfigFileName = "config.json";
    public const string SafetensorsFileName = "model.safetensors";
    public const string PickleFileName = "pytorch_model.bin";

    /// <summary>Buffers that older transformers saved and newer ones do not; nothing maps to them.</summary>
    static readonly string[] Ignored = ["text_model.embeddings.position_ids", "vision_model.embeddings.position_ids"];

    enum Op { Copy, Transpose, Concat }

    sealed record Rule(string OpenAIName, Op Op, params (string Name, long[] Shape)[] Sources);

    public static bool IsModelDirectory(string dir) => File.Exists(Path.Combine(dir, ConfigFileName));

    /// <summary>model.safetensors when present, else pytorch_model.bin.</summary>
    public static string WeightsFile(string dir)
    {
        foreach (var name in new[] { SafetensorsFileName, PickleFileName })
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        throw new InvalidInputException(File.Exists(Path.Combine(dir, SafetensorsFileName + ".index.json"))
            ? $"{dir}: sharded checkpoints ({SafetensorsFileName}.index.json) are not supported; merge the shards into one {SafetensorsFileName}"
            : $"{dir}: a Hugging Face model folder needs {SafetensorsFileName} or {PickleFileName} next to {ConfigFileName}");
    }

    public static Dictionary<string, Tensor> LoadStateDict(string dir) => LoadStateDict(dir, out _);

    /// <summary>OpenAI-named tensors in their stored dtype, plus the config they were checked against.</summary>
    public static Dictionary<string, Tensor> LoadStateDict(string dir, out HuggingFaceClipConfig config)
    {
        if (!IsModelDirectory(dir))
            throw new InvalidInputException($"{dir}: not a Hugging Face model folder (no {ConfigFileName})");
        config = HuggingFaceClipConfig.Read(Path.Combine(dir, ConfigFileName));
        string weights = WeightsFile(dir);
        var hf = weights.EndsWith(".safetensors", StringComparison.Ordinal) ? Safetensors.Load(weights) : TorchPickle.LoadStateDict(weights);
        Dictionary<string, Tensor>? result = null;
        try
        {
            result = ToOpenAINames(hf, config, weights);
            return result;
        }
        finally
        {
            var kept = new HashSet<Tensor>(result?.Values ?? Enumerable.Empty<Tensor>(), ReferenceEqualityComparer.Instance);
            foreach (var t in hf.Values)
                if (!kept.Contains(t)) t.Dispose();
        }
    }

    /// <summary>The Hugging Face tensor names and shapes that <paramref name="config"/> implies.</summary>
    internal static Dictionary<string, long[]> ExpectedShapes(HuggingFaceClipConfig config) =>
        Rules(config).SelectMany(r => r.Sources).ToDictionary(s => s.Name, s => s.Shape, StringComparer.Ordinal);

    /// <param name="source">The weights file, named in error messages.</param>
    internal static Dictionary<string, Tensor> ToOpenAINames(IReadOnlyDictionary<string, Tensor> hf, HuggingFaceClipConfig config, string source)
    {
        var rules = Rules(config);
        var expected = rules.SelectMany(r => r.Sources).ToDictionary(s => s.Name, s => s.Shape, StringComparer.Ordinal);
        string described = $"a ViT CLIPModel with {config.TextLayers} text and {config.VisionLayers} vision layers, as {ConfigFileName} describes";
        foreach (var name in hf.Keys.Order(StringComparer.Ordinal))
            if (!expected.ContainsKey(name) && !Ignored.Contains(name))
                throw new InvalidInputException($"{source}: unknown key '{name}' (not part of {described})");
        foreach (var (name, shape) in expected)
        {
            if (!hf.TryGetValue(name, out var t))
                throw new InvalidInputException($"{source}: missing key '{name}' (part of {described})");
            if (!t.shape.SequenceEqual(shape))
                throw new InvalidInputException($"{source}: '{name}' has shape [{string.Join(", ", t.shape)}] but {ConfigFileName} implies [{string.Join(", ", shape)}]");
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            var inputs = rule.Sources.Select(s => hf[s.Name]).ToArray();
            result[rule.OpenAIName] = rule.Op switch
            {
                Op.Copy => inputs[0],
                Op.Transpose => inputs[0].t().contiguous(),
                _ => cat(inputs, 0),
            };
        }
        return result;
    }

    static List<Rule> Rules(HuggingFaceClipConfig c)
    {
        long e = c.ProjectionDim, wt = c.TextWidth, wv = c.VisionWidth;
        var rules = new List<Rule>
        {
            new("token_embedding.weight", Op.Copy, ("text_model.embeddings.token_embedding.weight", [c.VocabSize, wt])),
            new("positional_embedding", Op.Copy, ("text_model.embeddings.position_embedding.weight", [c.ContextLength, wt])),
        };
        for (int i = 0; i < c.TextLayers; i++)
            rules.AddRange(Block($"transformer.resblocks.{i}", $"text_model.encoder.layers.{i}", wt));
        rules.AddRange(LayerNorm("ln_final", "text_model.final_layer_norm", wt));
        rules.Add(new("text_projection", Op.Transpose, ("text_projection.weight", [e, wt])));

        rules.Add(new("visual.class_embedding", Op.Copy, ("vision_model.embeddings.class_embedding", [wv])));
        rules.Add(new("visual.conv1.weight", Op.Copy, ("vision_model.embeddings.patch_embedding.weight", [wv, 3, c.PatchSize, c.PatchSize])));
        rules.Add(new("visual.positional_embedding", Op.Copy, ("vision_model.embeddings.position_embedding.weight", [c.Grid * c.Grid + 1, wv])));
        rules.AddRange(LayerNorm("visual.ln_pre", "vision_model.pre_layrnorm", wv)); // sic: transformers spells it "layrnorm"
        for (int i = 0; i < c.VisionLayers; i++)
            rules.AddRange(Block($"visual.transformer.resblocks.{i}", $"vision_model.encoder.layers.{i}", wv));
        rules.AddRange(LayerNorm("visual.ln_post", "vision_model.post_layernorm", wv));
        rules.Add(new("visual.proj", Op.Transpose, ("visual_projection.weight", [e, wv])));
        rules.Add(new("logit_scale", Op.Copy, ("logit_scale", [])));
        return rules;
    }

    static IEnumerable<Rule> LayerNorm(string openai, string hf, long width) =>
    [
        new($"{openai}.weight", Op.Copy, ($"{hf}.weight", [width])),
        new($"{openai}.bias", Op.Copy, ($"{hf}.bias", [width])),
    ];

    static IEnumerable<Rule> Block(string openai, string hf, long w)
    {
        string attn = $"{hf}.self_attn";
        // nn.MultiheadAttention's in_proj rows are [q; k; v].
        yield return new($"{openai}.attn.in_proj_weight", Op.Concat,
            ($"{attn}.q_proj.weight", [w, w]), ($"{attn}.k_proj.weight", [w, w]), ($"{attn}.v_proj.weight", [w, w]));
        yield return new($"{openai}.attn.in_proj_bias", Op.Concat,
            ($"{attn}.q_proj.bias", [w]), ($"{attn}.k_proj.bias", [w]), ($"{attn}.v_proj.bias", [w]));
        yield return new($"{openai}.attn.out_proj.weight", Op.Copy, ($"{attn}.out_proj.weight", [w, w]));
        yield return new($"{openai}.attn.out_proj.bias", Op.Copy, ($"{attn}.out_proj.bias", [w]));
        foreach (var r in LayerNorm($"{openai}.ln_1", $"{hf}.layer_norm1", w)) yield return r;
        yield return new($"{openai}.mlp.c_fc.weight", Op.Copy, ($"{hf}.mlp.fc1.weight", [4 * w, w]));
        yield return new($"{openai}.mlp.c_fc.bias", Op.Copy, ($"{hf}.mlp.fc1.bias", [4 * w]));
        yield return new($"{openai}.mlp.c_proj.weight", Op.Copy, ($"{hf}.mlp.fc2.weight", [w, 4 * w]));
        yield return new($"{openai}.mlp.c_proj.bias", Op.Copy, ($"{hf}.mlp.fc2.bias", [w]));
        foreach (var r in LayerNorm($"{openai}.ln_2", $"{hf}.layer_norm2", w)) yield return r;
    }
}
