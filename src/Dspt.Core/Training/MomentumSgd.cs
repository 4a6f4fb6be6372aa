using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Training;

/// <summary>
/// SGD with momentum (0 for none) and L2 weight decay on one parameter, the update of torch.optim.SGD
/// (dampening 0, no Nesterov) in TorchSharp's order: d = g + wd * p; buf = d on the first step,
/// else buf = momentum * buf + 1.0 * d; p = p - lr * buf. Written out because TorchSharp 0.107's
/// SGD passes temporary Scalars (momentum, alpha) to LibTorch without keeping them alive
/// (docs/native-scalars.md); here every Scalar lives as long as the optimizer or the step.
/// Bit-identical to TorchSharp's SGD (pinned by MomentumSgdTests).
/// </summary>
public sealed class MomentumSgd : IDisposable
{
    readonly Parameter parameter;
    readonly Scalar momentum;
    readonly Scalar weightDecay;
    readonly bool decays;
    readonly bool usesMomentum;
    // TorchSharp adds the gradient into the buffer with alpha (1 - dampening), a double 1.0.
    readonly Scalar undamped = 1.0;

    public MomentumSgd(Parameter parameter, double learningRate, double momentum, double weightDecay)
    {
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "expected >= 0");
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "expected >= 0");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "expected >= 0");
        this.parameter = parameter;
        LearningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        decays = weightDecay != 0;
        usesMomentum = momentum != 0;
    }

    public double LearningRate { get; set; }

    /// <summary>The momentum buffer (null before the first step); the optimizer owns it.</summary>
    public Tensor? MomentumBuffer { get; private set; }

    /// <summary>Replaces the momentum buffer with a copy of <paramref name="buffer"/> (resuming a run).</summary>
    public void RestoreMomentum(Tensor buffer)
    {
        MomentumBuffer?.Dispose();
        MomentumBuffer = buffer.detach().to(parameter.device).clone().DetachFromDisposeScope();
    }

    /// <summary>Zeroes the gradient in place, as TorchSharp's optimizers do.</summary>
    public void ZeroGrad()
    {
        using var grad = parameter.grad;
        grad?.zero_();
    }

    public void Step()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var grad = parameter.grad;
        if (grad is null) return;
        if (decays) grad = grad.add(parameter, weightDecay);
        if (usesMomentum)
        {
            if (MomentumBuffer is null)
                MomentumBuffer = grad.clone().detach().DetachFromDisposeScope();
            else
                MomentumBuffer.mul_(momentum).add_(grad, undamped);
            grad = MomentumBuffer;
        }
        using var step = (-LearningRate).ToScalar();
        parameter.add_(grad, step);
    }

    public void Dispose()
    {
        MomentumBuffer?.Dispose();
        momentum.Dispose();
        weightDecay.Dispose();
        undamped.Dispose();
    }
}
