using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// OpenAI's CLIP.initialize_parameters, plus PyTorch's default initialisation for the layers
/// it leaves alone, all drawn from one seeded generator so a from-scratch model (the built-in
/// demo's pretraining, benchmarks) is reproducible without touching torch's global RNG.
/// Each parameter's rule is chosen by the module that owns it (its type, and which tower or
/// block holds it), not by its name; a parameter of a module no rule knows fails loudly instead
/// of silently getting some default. Parameters are visited in registration order, so the
/// draws from the generator are those of the original (pinned by ClipInitializationTests).
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

        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var text = new HashSet<nn.Module>(model.TextTransformer.modules(), ReferenceEqualityComparer.Instance) { model.TextTransformer };
        var zeroed = new HashSet<nn.Module>(model.modules().OfType<Bottleneck>().Select(b => b.LastNorm), ReferenceEqualityComparer.Instance);

        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            int dot = name.LastIndexOf('.');
            string leaf = name[(dot + 1)..];
            nn.Module owner = dot < 0 ? model : modules[name[..dot]];
            nn.Module? parent = dot < 0 ? null : Parent(modules, model, name[..dot]);
            bool inText = text.Contains(owner);

            switch (owner)
            {
                case ClipModel when leaf == "logit_scale": p.fill_(Math.Log(1 / 0.07)); break;
                case ClipModel when leaf == "positional_embedding": p.normal_(0, 0.01, g); break;
                case ClipModel when leaf == "text_projection": p.normal_(0, attnStd, g); break;
                case Embedding: p.normal_(0, 0.02, g); break;
                case VisionTransformer when leaf is "class_embedding" or "positional_embedding" or "proj": p.normal_(0, visionScale, g); break;
                case AttentionPool2d when leaf == "positional_embedding": p.normal_(0, attnPoolStd, g); break;
                case Linear when parent is AttentionPool2d && leaf == "weight": p.normal_(0, attnPoolStd, g); break;
                case MultiheadAttention when leaf == "in_proj_weight":
                    if (inText) p.normal_(0, attnStd, g); else XavierUniform(p, g);
                    break;
                case MultiheadAttention when leaf == "in_proj_bias": p.zero_(); break;
                case Linear when parent is MultiheadAttention && leaf == "weight":
                    if (inText) p.normal_(0, projStd, g); else FanInUniform(p, g);
                    break;
                case Linear when parent is MultiheadAttention && leaf == "bias": p.zero_(); break;
                case Linear when parent is Mlp && inText && leaf == "weight": p.normal_(0, ReferenceEquals(owner, ((Mlp)parent).Fc) ? fcStd : projStd, g); break;
                case Linear or Conv2d when leaf == "weight": FanInUniform(p, g); break;
                case Linear or Conv2d when leaf == "bias": p.uniform_(-0.01, 0.01, g); break;
                // OpenAI zeroes each residual branch's last BN so blocks start as identities.
                case BatchNorm2d when leaf == "weight" && zeroed.Contains(owner): p.zero_(); break;
                case LayerNorm or BatchNorm2d when leaf == "weight": p.fill_(1.0); break;
                case LayerNorm or BatchNorm2d when leaf == "bias": p.zero_(); break;
                default:
                    throw new InvalidOperationException($"no initialisation rule for parameter '{name}' of {owner.GetType().Name}; add one to {nameof(ClipInitialization)}");
            }
        }
    }

    static nn.Module Parent(Dictionary<string, nn.Module> modules, ClipModel model, string ownerName)
    {
        int dot = ownerName.LastIndexOf('.');
        return dot < 0 ? model : modules[ownerName[..dot]];
    }

    /// <summary>PyTorch's nn.MultiheadAttention in_proj init: xavier_uniform over (fan_in, fan_out = rows / 3).</summary>
    static void XavierUniform(Tensor p, Generator g)
    {
        long fanOut = p.shape[0] / 3, fanIn = p.shape[1];
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        p.uniform_(-bound, bound, g);
    }

    /// <summary>U(±1/sqrt(fan_in)), PyTorch's default for Linear and Conv weights.</summary>
    static void FanInUniform(Tensor p, Generator g)
    {
        long fanIn = p.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        double bound = 1 / Math.Sqrt(fanIn);
        p.uniform_(-bound, bound, g);
    }
}
