using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// CLIP hyper-parameters, inferred from tensor shapes exactly as OpenAI's <c>build_model</c> does,
/// so every published OpenAI/open_clip checkpoint (RN50..RN50x64, ViT-B/32..ViT-L/14@336px) works.
/// <see cref="VisionLayers"/> has one entry (ViT depth) or four (ResNet stages).
/// </summary>
public sealed record ClipConfig(
    int EmbedDim,
    int ImageResolution,
    int[] VisionLayers,
    int VisionWidth,
    int? VisionPatchSize,
    int ContextLength,
    int VocabSize,
    int TransformerWidth,
    int TransformerHeads,
    int TransformerLayers)
{
    public bool IsVit => VisionPatchSize is not null;

    /// <summary>ViT: width/64 heads; ResNet attention pool: width*32/64 (head dim 64), as build_model.</summary>
    public int VisionHeads => IsVit ? VisionWidth / 64 : VisionWidth * 32 / 64;

    public string Architecture => IsVit
        ? $"ViT (patch {VisionPatchSize}, {VisionLayers[0]} layers, width {VisionWidth}, {ImageResolution}px)"
        : $"ModifiedResNet (layers ({string.Join(",", VisionLayers)}), width {VisionWidth}, {ImageResolution}px)";

    public static ClipConfig Infer(IReadOnlyDictionary<string, Tensor> sd, string source)
    {
        long[] Shape(string name) => sd.TryGetValue(name, out var t)
            ? t.shape
            : throw new InvalidInputException($"{source}: missing tensor '{name}' (needed to infer the CLIP architecture; is this an OpenAI-named CLIP state dict?)");

        int CountDistinct(string prefix, int part) =>
            sd.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                   .Select(k => k.Split('.')[part]).Distinct().Count();

        bool vit = sd.ContainsKey("visual.proj");
        int visionWidth, imageResolution;
        int[] visionLayers;
        int? patch = null;
        if (vit)
        {
            var conv = Shape("visual.conv1.weight");
            visionWidth = (int)conv[0];
            visionLayers = [sd.Keys.Count(k => k.StartsWith("visual.", StringComparison.Ordinal) && k.EndsWith(".attn.in_proj_weight", StringComparison.Ordinal))];
            patch = (int)conv[^1];
            int grid = (int)Math.Round(Math.Sqrt(Shape("visual.positional_embedding")[0] - 1));
            imageResolution = patch.Value * grid;
        }
        else
        {
            visionLayers = [.. Enumerable.Range(1, 4).Select(b => CountDistinct($"visual.layer{b}.", 2))];
            visionWidth = (int)Shape("visual.layer1.0.conv1.weight")[0];
            int outputWidth = (int)Math.Round(Math.Sqrt(Shape("visual.attnpool.positional_embedding")[0] - 1));
            imageResolution = outputWidth * 32;
        }
        int transformerWidth = (int)Shape("ln_final.weight")[0];
        return new ClipConfig(
            EmbedDim: (int)Shape("text_projection")[1],
            ImageResolution: imageResolution,
            VisionLayers: visionLayers,
            VisionWidth: visionWidth,
            VisionPatchSize: patch,
            ContextLength: (int)Shape("positional_embedding")[0],
            VocabSize: (int)Shape("token_embedding.weight")[0],
            TransformerWidth: transformerWidth,
            TransformerHeads: transformerWidth / 64,
            TransformerLayers: CountDistinct("transformer.resblocks.", 2));
    }

    // Records compare the VisionLayers array by reference; a config is a value, so compare its elements.
    public bool Equals(ClipConfig? other) =>
        other is not null && EmbedDim == other.EmbedDim && ImageResolution == other.ImageResolution
        && VisionLayers.AsSpan().SequenceEqual(other.VisionLayers) && VisionWidth == other.VisionWidth
        && VisionPatchSize == other.VisionPatchSize && ContextLength == other.ContextLength && VocabSize == other.VocabSize
        && TransformerWidth == other.TransformerWidth && TransformerHeads == other.TransformerHeads && TransformerLayers == other.TransformerLayers;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(EmbedDim);
        hash.Add(ImageResolution);
        foreach (int layers in VisionLayers) hash.Add(layers);
        hash.Add(VisionWidth);
        hash.Add(VisionPatchSize);
        hash.Add(ContextLength);
        hash.Add(VocabSize);
        hash.Add(TransformerWidth);
        hash.Add(TransformerHeads);
        hash.Add(TransformerLayers);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"embed {EmbedDim}, {Architecture}, text {TransformerLayers}x{TransformerWidth} ({TransformerHeads} heads), context {ContextLength}, vocab {VocabSize}";
}
