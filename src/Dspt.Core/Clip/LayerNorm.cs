using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>LayerNorm computed in float32 whatever the input dtype (as clip/model.py's subclass), eps 1e-5.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter bias;
    readonly long[] shape;

    public LayerNorm(long width) : base(nameof(LayerNorm))
    {
        shape = [width];
        weight = nn.Parameter(ones(width));
        bias = nn.Parameter(zeros(width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dtype == ScalarType.Float32)
            return nn.functional.layer_norm(x, shape, weight, bias, 1e-5);
        using var scope = NewDisposeScope();
        var y = nn.functional.layer_norm(x.to(ScalarType.Float32), shape, weight.to(ScalarType.Float32), bias.to(ScalarType.Float32), 1e-5);
        return y.to(x.dtype).MoveToOuterDisposeScope();
    }
}
