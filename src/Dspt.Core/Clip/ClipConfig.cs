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
        long[] Shape(string name, int rank) => sd.TryGetValue(name, out var t)
            ? (t.shape.Length == rank ? t.shape
               : throw new InvalidInputException($"{source}: tensor '{name}' has {t.shape.Length} dims ([{string.Join(", ", t.shape)}]); expected {rank}"))
            : throw new InvalidInputException($"{source}: missing tensor '{name}' (needed to infer the CLIP architecture; is this an OpenAI-named CLIP state dict?)");
        // A tensor with a zero dim holds no data, so any other dim costs the file nothing: each
        // one that sizes the architecture is checked before it is used.
        int Dim(string name, int rank, int index)
        {
            long d = Shape(name, rank)[index];
            return d is >= 1 and <= MaxDim ? (int)d
                : throw new InvalidInputException($"{source}: tensor '{name}' dim {index} is {d}; expected 1 to {MaxDim}");
        }

        int CountDistinct(string prefix, int part) =>
            sd.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                   .Select(k => k.Split('.')[part]).Distinct().Count();

        bool vit = sd.ContainsKey("visual.proj");
        int visionWidth, imageResolution;
        int[] visionLayers;
        int? patch = null;
        if (vit)
        {
            visionWidth = Dim("visual.conv1.weight", 4, 0);
            visionLayers = [sd.Keys.Count(k => k.StartsWith("visual.", StringComparison.Ordinal) && k.EndsWith(".attn.in_proj_weight", StringComparison.Ordinal))];
            patch = Dim("visual.conv1.weight", 4, 3);
            int grid = (int)Math.Round(Math.Sqrt(Dim("visual.positional_embedding", 2, 0) - 1));
            imageResolution = patch.Value * grid;
        }
        else
        {
            visionLayers = [.. Enumerable.Range(1, 4).Select(b => CountDistinct($"visual.layer{b}.", 2))];
            visionWidth = Dim("visual.layer1.0.conv1.weight", 4, 0);
            int outputWidth = (int)Math.Round(Math.Sqrt(Dim("visual.attnpool.positional_embedding", 2, 0) - 1));
            imageResolution = outputWidth * 32;
        }
        int transformerWidth = Dim("ln_final.weight", 1, 0);
        var config = new ClipConfig(
            EmbedDim: Dim("text_projection", 2, 1),
            ImageResolution: imageResolution,
            VisionLayers: visionLayers,
            VisionWidth: visionWidth,
            VisionPatchSize: patch,
            ContextLength: Dim("positional_embedding", 2, 0),
            VocabSize: Dim("token_embedding.weight", 2, 0),
            TransformerWidth: transformerWidth,
            TransformerHeads: transformerWidth / 64,
            TransformerLayers: CountDistinct("transformer.resblocks.", 2));
        if (config.TransformerHeads < 1 || config.VisionHeads < 1 || imageResolution < 1)
            throw new InvalidInputException($"{source}: the tensor shapes give {config}, which has no attention heads (CLIP's heads are 64 wide) or no image size");
        // The shapes of a few tensors size the whole model; before anything that big is built,
        // the file must hold about that many numbers (a strict load needs every one of them).
        double needed = config.MinimumParameterCount();
        double held = sd.Values.Sum(t => (double)t.numel());
        // The slack leaves a few missing tensors to the precise "missing tensor" message below.
        if (needed > 1.5 * held + (1 << 20))
            throw new InvalidInputException($"{source}: the tensor shapes describe {config}, a model of at least {needed:0} parameters, but the file holds {held:0} numbers; some shape is wrong");
        return config;
    }

    /// <summary>Architecture dims above this are refused (published CLIPs stay below 2^14).</summary>
    const int MaxDim = 1 << 20;

    /// <summary>
    /// A lower bound on the parameter count (exact for the text tower and a ViT; the ResNet stem
    /// and attention pool for a ResNet), in double so that no product can overflow.
    /// </summary>
    public double MinimumParameterCount()
    {
        double wt = TransformerWidth, e = EmbedDim, wv = VisionWidth;
        double Blocks(double layers, double w) => layers * (12 * w * w + 13 * w);
        double text = (double)VocabSize * wt + (double)ContextLength * wt + Blocks(TransformerLayers, wt) + 2 * wt + wt * e + 1;
        double vision;
        if (VisionPatchSize is int p)
        {
            double grid = ImageResolution / p;
            vision = wv * 3 * p * p + wv + (grid * grid + 1) * wv + 4 * wv + Blocks(VisionLayers[0], wv) + wv * e;
        }
        else
        {
            double half = wv / 2, pooled = wv * 32, side = ImageResolution / 32;
            vision = 3 * half * 9 + half * half * 9 + half * wv * 9 + (side * side + 1) * pooled + 3 * (pooled * pooled + pooled) + pooled * e;
        }
        return text + vision;
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
