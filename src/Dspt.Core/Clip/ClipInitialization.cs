using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// OpenAI's CLIP.initialize_parameters, plus PyTorch's default initialisation for the layers
/// it leaves alone, all drawn from one seeded generator so a from-scratch model (the built-in
/// demo's pretraining, benchmarks) is reproducible without touching torch's global RNG.
/// </summary>
public static class ClipInitialization
{
    public static void InitializeParameters(this ClipModel model, long seed)
    {
        var g = new Generator((ulong)seed);
        var cfg = model.Config;
        double width = cfg.TransformerWidth;
        double projStd = Math.Pow(width, -0.5) * Math.Pow(2 * cfg.TransformerLayers, -0.5);
        double attnStd = Math.Pow(width, -0.5);
        double fcStd = Math.Pow(2 * width, -0.5);
        double visionScale = Math.Pow(cfg.VisionWidth, -0.5);
        double attnPoolStd = Math.Pow(cfg.VisionWidth * 32, -0.5);

        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            if (name == "logit_scale") { using var scale = Math.Log(1 / 0.07).ToScalar(); p.fill_(scale); continue; }
            if (name == "token_embedding.weight") { p.normal_(0, 0.02, g); continue; }
            if (name == "positional_embedding") { p.normal_(0, 0.01, g); continue; }
            if (name == "text_projection") { p.normal_(0, attnStd, g); continue; }
            if (name.StartsWith("transformer.resblocks.", StringComparison.Ordinal))
            {
                if (name.EndsWith("attn.in_proj_weight", StringComparison.Ordinal)) p.normal_(0, attnStd, g);
                else if (name.EndsWith("attn.out_proj.weight", StringComparison.Ordinal)) p.normal_(0, projStd, g);
                else if (name.EndsWith("mlp.c_fc.weight", StringComparison.Ordinal)) p.normal_(0, fcStd, g);
                else if (name.EndsWith("mlp.c_proj.weight", StringComparison.Ordinal)) p.normal_(0, projStd, g);
                else DefaultInit(name, leaf, p, g);
                continue;
            }
            if (name is "visual.class_embedding" or "visual.positional_embedding" or "visual.proj")
            {
                p.normal_(0, visionScale, g);
                continue;
            }
            if (name.StartsWith("visual.attnpool.", StringComparison.Ordinal) && leaf == "weight" && !name.Contains("positional"))
            {
                p.normal_(0, attnPoolStd, g);
                continue;
            }
            if (name == "visual.attnpool.positional_embedding") { p.normal_(0, attnPoolStd, g); continue; }
            // OpenAI zeroes each residual branch's last BN so blocks start as identities.
            if (!cfg.IsVit && name.EndsWith(".bn3.weight", StringComparison.Ordinal) && name.Contains(".layer"))
            {
                p.zero_();
                continue;
            }
            DefaultInit(name, leaf, p, g);
        }
    }

    /// <summary>PyTorch-like defaults: norms 1 and 0, attention biases 0, other biases U(±0.01), weights U(±1/sqrt(fan_in)), MHA in_proj xavier_uniform.</summary>
    static void DefaultInit(string name, string leaf, Tensor p, Generator g)
    {
        bool isNorm = name.Contains("ln_") || name.Contains(".bn") || name.Contains("downsample.1") || name.EndsWith("ln_pre.weight") || name.EndsWith("ln_post.weight");
        if (p.dim() == 1 && isNorm)
        {
            if (leaf == "weight") { using var one = 1.0.ToScalar(); p.fill_(one); } else p.zero_();
            return;
        }
        if (name.EndsWith("in_proj_weight", StringComparison.Ordinal))
        {
            long fanOut = p.shape[0] / 3, fanIn = p.shape[1];
            double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
            p.uniform_(-bound, bound, g);
            return;
        }
        if (name.Contains(".attn.") && leaf.EndsWith("bias", StringComparison.Ordinal)) { p.zero_(); return; }
        if (p.dim() >= 2)
        {
            long fanIn = p.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double bound = 1 / Math.Sqrt(fanIn);
            p.uniform_(-bound, bound, g);
            return;
        }
        p.uniform_(-0.01, 0.01, g);
    }
}
