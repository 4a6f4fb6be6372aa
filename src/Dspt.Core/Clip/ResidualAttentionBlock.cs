using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>clip/model.py ResidualAttentionBlock: x + attn(ln_1(x)), then x + mlp(ln_2(x)), batch-first.</summary>
public sealed class ResidualAttentionBlock : nn.Module<Tensor, Tensor>
{
    readonly MultiheadAttention attn;
    readonly LayerNorm ln_1;
    readonly Mlp mlp;
    readonly LayerNorm ln_2;

    public ResidualAttentionBlock(long width, int heads, bool causal) : base(nameof(ResidualAttentionBlock))
    {
        attn = new MultiheadAttention(width, heads, causal);
        ln_1 = new LayerNorm(width);
        mlp = new Mlp(width);
        ln_2 = new LayerNorm(width);
        RegisterComponents();
    }

    public MultiheadAttention Attention => attn;
    public LayerNorm Norm1 => ln_1;
    public LayerNorm Norm2 => ln_2;
    public Mlp Mlp => mlp;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x));
        x = x + mlp.forward(ln_2.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>c_fc -> QuickGELU (x * sigmoid(1.702 x)) -> c_proj.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Linear c_fc;
    readonly Linear c_proj;

    public Mlp(long width) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(width, width * 4);
        c_proj = nn.Linear(width * 4, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = c_fc.forward(x);
        h = h * sigmoid(1.702 * h);
        return c_proj.forward(h).MoveToOuterDisposeScope();
    }
}

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

    /// <summary>The blocks in turn, each input first passed through <paramref name="prompts"/>' hook for its layer.</summary>
    public Tensor Forward(Tensor x, ILayerPrompts? prompts)
    {
        for (int i = 0; i < resblocks.Count; i++)
        {
            if (prompts is not null) x = prompts.BeforeBlock(i, x);
            var next = resblocks[i].call(x);
            if (!ReferenceEquals(next, x)) x = next;
        }
        return x;
    }
}
