using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>A stack of residual attention blocks ("resblocks.{i}").</summary>
public sealed class Transformer : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<ResidualAttentionBlock> resblocks;

    public Transformer(long width, int layers, int heads, bool causal) : base(nameof(Transformer))
    {
        resblocks = new ModuleList<ResidualAttentionBlock>();
        for (int i = 0; i < layers; i++) resblocks.Add(new ResidualAttentionBlock(width, heads, causal));
        RegisterComponents();
    }

    public IReadOnlyList<ResidualAttentionBlock> Blocks => [.. resblocks];

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>The blocks in turn, each input first passed through <paramref name="prompts"/>' hook for its layer (VPT, MaPLe).</summary>
    public Tensor Forward(Tensor x, ILayerPrompts? prompts)
    {
        for (int i = 0; i < resblocks.Count; i++)
        {
            if (prompts is not null) x = prompts.BeforeBlock(i, x);
            x = resblocks[i].call(x);
        }
        return x;
    }
}
