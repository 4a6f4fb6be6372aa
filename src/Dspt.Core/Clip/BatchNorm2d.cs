using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// torch.nn.BatchNorm2d as CLIP's ResNet uses it (affine, running statistics, momentum 0.1, eps
/// 1e-5), with the same parameter and buffer names. Written out because TorchSharp 0.107's
/// counts batches with <c>num_batches_tracked.add_(1)</c>, whose temporary Scalars reach native
/// code without a GC.KeepAlive: a finalizer freed one mid-call and crashed long pretraining
/// runs. Here the Scalar lives as long as the module.
/// </summary>
public sealed class BatchNorm2d : nn.Module<Tensor, Tensor>
{
    const double Momentum = 0.1, Eps = 1e-5;

    readonly Parameter weight;
    readonly Parameter bias;
    readonly Tensor running_mean;
    readonly Tensor running_var;
    readonly Tensor num_batches_tracked;
    readonly Scalar one = 1;

    public BatchNorm2d(long features) : base(nameof(BatchNorm2d))
    {
        weight = nn.Parameter(ones(features));
        bias = nn.Parameter(zeros(features));
        running_mean = zeros(features);
        running_var = ones(features);
        num_batches_tracked = tensor(0L);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"BatchNorm2d expects a 4-d input [N, C, H, W], got shape [{string.Join(", ", x.shape)}]");
        if (training)
            using (no_grad()) num_batches_tracked.add_(one, one);
        return nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, Momentum, Eps);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) one.Dispose();
        base.Dispose(disposing);
    }
}
