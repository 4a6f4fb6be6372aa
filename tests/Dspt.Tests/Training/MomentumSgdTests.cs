using Dspt.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Tests.Training;

public class MomentumSgdTests
{
    static byte[] Bytes(Tensor t) => t.detach().cpu().contiguous().bytes.ToArray();

    /// <summary>
    /// The project's SGD against TorchSharp's torch.optim.SGD, bit for bit: 300 steps on the same
    /// parameter, gradients of a loss that changes with the parameter, the learning rate changed
    /// every 20 steps as the trainer's schedule does, CoOp's momentum and weight decay (and none).
    /// </summary>
    [Theory]
    [InlineData(0.9, 5e-4)]
    [InlineData(0.9, 0.0)]
    [InlineData(0.0, 5e-4)]
    public void Matches_TorchSharp_SGD_bitwise_over_300_steps(double momentum, double weightDecay)
    {
        var generator = new Generator(7);
        using var start = randn([16, 32], generator: generator);
        using var target = randn([16, 32], generator: generator);
        var ours = new Parameter(start.clone());
        var theirs = new Parameter(start.clone());
        using var sgd = new MomentumSgd(ours, 0.01, momentum, weightDecay);
        using var reference = optim.SGD([theirs], 0.01, momentum, 0, weightDecay);
        for (int step = 0; step < 300; step++)
        {
            double lr = 0.002 * (1 + Math.Cos(Math.PI * step / 300)) + (step / 20) * 1e-5;
            sgd.LearningRate = lr;
            foreach (var g in reference.ParamGroups) g.LearningRate = lr;
            sgd.ZeroGrad();
            reference.zero_grad();
            Loss(ours, target).backward();
            Loss(theirs, target).backward();
            sgd.Step();
            reference.step();
        }
        Assert.Equal(Bytes(theirs), Bytes(ours));
        Assert.NotEqual(Bytes(start), Bytes(ours));
        var buffer = ((SGD.State)reference.state_dict().State[0]).momentum_buffer;
        if (momentum == 0) Assert.Null(sgd.MomentumBuffer);
        else Assert.Equal(Bytes(buffer), Bytes(sgd.MomentumBuffer!));
    }

    static Tensor Loss(Tensor p, Tensor target)
    {
        using var scope = NewDisposeScope();
        return (p - target).pow(2).sum().add(p.sin().sum()).MoveToOuterDisposeScope();
    }

    [Fact]
    public void A_restored_momentum_continues_exactly()
    {
        var generator = new Generator(3);
        using var start = randn([8], generator: generator);
        using var target = randn([8], generator: generator);
        var whole = new Parameter(start.clone());
        using var a = new MomentumSgd(whole, 0.05, 0.9, 5e-4);
        var split = new Parameter(start.clone());
        using var b = new MomentumSgd(split, 0.05, 0.9, 5e-4);
        for (int i = 0; i < 10; i++) { a.ZeroGrad(); Loss(whole, target).backward(); a.Step(); }
        for (int i = 0; i < 5; i++) { b.ZeroGrad(); Loss(split, target).backward(); b.Step(); }
        var resumed = new Parameter(split.detach().clone());
        using var c = new MomentumSgd(resumed, 0.05, 0.9, 5e-4);
        c.RestoreMomentum(b.MomentumBuffer!);
        for (int i = 0; i < 5; i++) { c.ZeroGrad(); Loss(resumed, target).backward(); c.Step(); }
        Assert.Equal(Bytes(whole), Bytes(resumed));
    }
}
