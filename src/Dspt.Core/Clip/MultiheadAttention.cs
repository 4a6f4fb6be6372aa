using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// nn.MultiheadAttention's parameters (packed in_proj [q; k; v], out_proj) with a batch-first
/// forward on scaled_dot_product_attention. Keys/values may be longer than queries (the ResNet
/// attention pool queries one token; prompt tuning reuses a shared prefix's keys and values).
/// </summary>
public sealed class MultiheadAttention : nn.Module<Tensor, Tensor>
{
    readonly Parameter in_proj_weight;
    readonly Parameter in_proj_bias;
    readonly Linear out_proj;
    public int Heads { get; }
    public bool Causal { get; }

    public MultiheadAttention(long width, int heads, bool causal) : base(nameof(MultiheadAttention))
    {
        Heads = heads;
        Causal = causal;
        in_proj_weight = nn.Parameter(empty(3 * width, width));
        in_proj_bias = nn.Parameter(zeros(3 * width));
        out_proj = nn.Linear(width, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = ProjectQkv(x);
        return Attend(q, k, v, Causal).MoveToOuterDisposeScope();
    }

    /// <summary>x (N, L, W) -> q, k, v each (N, heads, L, head_dim).</summary>
    public (Tensor Q, Tensor K, Tensor V) ProjectQkv(Tensor x)
    {
        var (n, l, w) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias)
            .view(n, l, 3, Heads, w / Heads).permute(2, 0, 3, 1, 4);
        return (qkv[0], qkv[1], qkv[2]);
    }

    /// <summary>Attention of q over k, v (heads split), merged heads, then out_proj: (N, Lq, W).</summary>
    public Tensor Attend(Tensor q, Tensor k, Tensor v, bool causal, Tensor? mask = null)
    {
        var (n, lq) = (q.shape[0], q.shape[2]);
        var o = nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
        return out_proj.call(o.transpose(1, 2).reshape(n, lq, -1));
    }
}
