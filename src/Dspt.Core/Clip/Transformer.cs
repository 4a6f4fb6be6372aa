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

    public override Tensor forward(Tensor x)
    {
        foreach (var block in resblocks) x = block.call(x);
        return x;
    }
}
