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
        x = x + attn.call(ln_1.call(x));
        x = x + mlp.call(ln_2.call(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>c_fc -> QuickGELU (x * sigmoid(1.702 x)) -> c_proj.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Linear c_fc;
    readonly Linear c_proj;

    public Linear Fc => c_fc;

    public Mlp(long width) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(width, width * 4);
        c_proj = nn.Linear(width * 4, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = c_fc.call(x);
        h = h * sigmoid(1.702 * h);
        return c_proj.call(h).MoveToOuterDisposeScope();
    }
}
