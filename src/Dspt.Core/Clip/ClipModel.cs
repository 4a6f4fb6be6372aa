using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// OpenAI CLIP (clip/model.py): an image tower (ViT or ModifiedResNet) and a causal text
/// transformer read at the EOT token, both projected into a joint space. Submodule and
/// parameter names are the checkpoint's names, so a state dict loads one-to-one.
/// </summary>
public sealed class ClipModel : nn.Module<Tensor, Tensor, (Tensor LogitsPerImage, Tensor LogitsPerText)>
{
    readonly nn.Module<Tensor, Tensor> visual;
    readonly Transformer transformer;
    readonly Embedding token_embedding;
    readonly Parameter positional_embedding;
    readonly LayerNorm ln_final;
    readonly Parameter text_projection;
    readonly Parameter logit_scale;

    public ClipConfig Config { get; }

    public ClipModel(ClipConfig config) : base(nameof(ClipModel))
    {
        Config = config;
        visual = config.IsVit
            ? new VisionTransformer(config.ImageResolution, config.VisionPatchSize!.Value, config.VisionWidth,
                config.VisionLayers[0], config.VisionHeads, config.EmbedDim)
            : new ModifiedResNet(config.VisionLayers, config.EmbedDim, config.VisionHeads,
                config.ImageResolution, config.VisionWidth);
        transformer = new Transformer(config.TransformerWidth, config.TransformerLayers, config.TransformerHeads, causal: true);
        token_embedding = nn.Embedding(config.VocabSize, config.TransformerWidth);
        positional_embedding = nn.Parameter(empty(config.ContextLength, config.TransformerWidth));
        ln_final = new LayerNorm(config.TransformerWidth);
        text_projection = nn.Parameter(empty(config.TransformerWidth, config.EmbedDim));
        logit_scale = nn.Parameter(tensor(Math.Log(1 / 0.07), ScalarType.Float32));
        RegisterComponents();
    }

    public nn.Module<Tensor, Tensor> Visual => visual;
    public Transformer TextTransformer => transformer;
    public Embedding TokenEmbedding => token_embedding;
    public Parameter PositionalEmbedding => positional_embedding;
    public LayerNorm FinalNorm => ln_final;
    public Parameter TextProjection => text_projection;
    public Parameter LogitScale => logit_scale;
    public ScalarType DType => text_projection.dtype;

    public Tensor EncodeImage(Tensor images) => visual.call(images.to(DType));

    /// <summary>The image tower with prompt tokens (<see cref="ILayerPrompts"/>); ViT towers only.</summary>
    public Tensor EncodeImage(Tensor images, ILayerPrompts? prompts) => prompts is null ? EncodeImage(images)
        : visual is VisionTransformer vit ? vit.Encode(images.to(DType), prompts)
        : throw new InvalidInputException($"prompt tokens in the image tower need a ViT; {Config.Architecture} has a ResNet");

    /// <summary>tokens (N, L) int64 -> (N, embed); features at argmax(tokens), i.e. the first EOT.</summary>
    public Tensor EncodeText(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = token_embedding.call(tokens);
        return EncodeTextEmbeddings(x, tokens.argmax(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The text tower from token embeddings (N, L, W), L &lt;= context length: + positional
    /// embedding, causal transformer, ln_final and projection at each row's EOT position.
    /// CoOp feeds its learned prompts through here.
    /// </summary>
    public Tensor EncodeTextEmbeddings(Tensor embeddings, Tensor eotPositions, ILayerPrompts? prompts = null)
    {
        using var scope = NewDisposeScope();
        long l = embeddings.shape[1];
        var x = embeddings.Plus(positional_embedding.narrow(0, 0, l).to(embeddings.dtype));
        if (prompts is not null) x = prompts.Embedded(x);
        x = transformer.Forward(x, prompts);
        return ProjectAtEot(x, eotPositions).MoveToOuterDisposeScope();
    }

    /// <summary>ln_final and projection of the hidden state at each row's EOT position.</summary>
    public Tensor ProjectAtEot(Tensor hidden, Tensor eotPositions)
    {
        using var scope = NewDisposeScope();
        var rows = NativeScalars.Range(hidden.shape[0], hidden.device);
        // LayerNorm acts per token, so normalising only the gathered rows is exact.
        var eot = hidden[rows, eotPositions.to(ScalarType.Int64)];
        return ln_final.call(eot).matmul(text_projection).MoveToOuterDisposeScope();
    }

    /// <summary>exp(logit_scale) * cos(image, text): (images x texts, texts x images).</summary>
    public override (Tensor LogitsPerImage, Tensor LogitsPerText) forward(Tensor images, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var img = EncodeImage(images);
        var txt = EncodeText(tokens);
        var perImage = Logits(img, txt);
        return (perImage.MoveToOuterDisposeScope(), perImage.t().MoveToOuterDisposeScope());
    }

    public Tensor Logits(Tensor imageFeatures, Tensor textFeatures)
    {
        using var scope = NewDisposeScope();
        var img = imageFeatures / imageFeatures.norm(dim: 1, keepdim: true);
        var txt = textFeatures / textFeatures.norm(dim: 1, keepdim: true);
        return (logit_scale.exp() * img.matmul(txt.t())).MoveToOuterDisposeScope();
    }

    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>
    /// Builds the model that fits the state dict's shapes and copies every tensor in. Missing,
    /// unexpected or mis-shaped entries fail with the source and tensor name. Scalars that OpenAI's
    /// TorchScript archives carry (input_resolution, context_length, vocab_size) are dropped as
    /// build_model does. Floating tensors are converted to <paramref name="dtype"/>.
    /// </summary>
    public static ClipModel FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict, string source,
        ScalarType dtype = ScalarType.Float32)
    {
        var sd = stateDict.Where(kv => kv.Key is not ("input_resolution" or "context_length" or "vocab_size"))
                          .ToDictionary(kv => kv.Key, kv => kv.Value);
        var model = new ClipModel(ClipConfig.Infer(sd, source));
        var expected = model.state_dict();
        var missing = expected.Keys.Where(k => !sd.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidInputException($"{source}: missing tensor{(missing.Count > 1 ? "s" : "")} {Names(missing)} for {model.Config.Architecture}");
        var unexpected = sd.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidInputException($"{source}: unexpected tensor{(unexpected.Count > 1 ? "s" : "")} {Names(unexpected)} (not part of {model.Config.Architecture})");
        using (no_grad())
        {
            foreach (var (name, target) in expected)
            {
                var value = sd[name];
                if (!value.shape.SequenceEqual(target.shape))
                    throw new InvalidInputException($"{source}: tensor '{name}' has shape [{string.Join(", ", value.shape)}], expected [{string.Join(", ", target.shape)}] for {model.Config.Architecture}");
                if (value.is_floating_point() != target.is_floating_point())
                    throw new InvalidInputException($"{source}: tensor '{name}' has dtype {value.dtype}, expected a {(target.is_floating_point() ? "floating-point" : "integer")} tensor");
                target.copy_(value);
            }
        }
        if (dtype != ScalarType.Float32) model.to(dtype);
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return model;
    }

    static string Names(List<string> names) =>
        string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");
}
