using Dspt.Clip;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Bench;

/// <summary>
/// A CLIP model of any shape with seeded random weights, initialised as clip/model.py's
/// initialize_parameters does for the text side (so activations have realistic scales), frozen
/// and in eval mode like <see cref="ClipModel.FromStateDict"/>. For benchmarks and tests that
/// need sizes no fixture has.
/// </summary>
public static class RandomClip
{
    /// <summary>ViT-B/16's text tower (width 512, 12 layers, 8 heads, embed 512, vocab 49408, context 77) with a tiny image tower.</summary>
    public static ClipConfig VitB16Text { get; } = new(
        EmbedDim: 512, ImageResolution: 32, VisionLayers: [1], VisionWidth: 64, VisionPatchSize: 16,
        ContextLength: 77, VocabSize: 49408, TransformerWidth: 512, TransformerHeads: 8, TransformerLayers: 12);

    public static ClipModel Create(ClipConfig config, long seed)
    {
        var model = new ClipModel(config);
        using var generator = new Generator((ulong)seed);
        double width = config.TransformerWidth;
        double attnStd = Math.Pow(width, -0.5);
        double projStd = attnStd * Math.Pow(2 * config.TransformerLayers, -0.5);
        double fcStd = Math.Pow(2 * width, -0.5);
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                if (name == "logit_scale") continue;
                bool isNorm = name.Split('.').Any(part => part.StartsWith("ln_", StringComparison.Ordinal));
                if (isNorm) { if (name.EndsWith(".weight", StringComparison.Ordinal)) p.fill_(1); else p.zero_(); continue; }
                if (name.EndsWith("bias", StringComparison.Ordinal)) { p.zero_(); continue; }
                double std = name switch
                {
                    "token_embedding.weight" => 0.02,
                    "positional_embedding" => 0.01,
                    "text_projection" => attnStd,
                    _ when name.EndsWith("attn.in_proj_weight", StringComparison.Ordinal) => attnStd,
                    _ when name.EndsWith("attn.out_proj.weight", StringComparison.Ordinal) => projStd,
                    _ when name.EndsWith("mlp.c_fc.weight", StringComparison.Ordinal) => fcStd,
                    _ when name.EndsWith("mlp.c_proj.weight", StringComparison.Ordinal) => projStd,
                    _ => 0.02,
                };
                p.normal_(0, std, generator);
            }
        }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return model;
    }
}
