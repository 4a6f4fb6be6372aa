using Dspt.Clip;
using static TorchSharp.torch;

namespace Dspt.Tests.Clip;

/// <summary>Dspt's BatchNorm2d (a workaround for a TorchSharp Scalar lifetime bug) must be torch.nn.BatchNorm2d exactly.</summary>
public class BatchNorm2dTests
{
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void MatchesTorchSharpsBatchNormInTrainingAndEvaluation()
    {
        using var scope = NewDisposeScope();
        var ours = new BatchNorm2d(6);
        var theirs = nn.BatchNorm2d(6);
        Assert.Equal(theirs.state_dict().Keys.Order(), ours.state_dict().Keys.Order());
        Assert.Equal(theirs.parameters().Count(), ours.parameters().Count());
        // Same non-trivial affine parameters in both.
        using (no_grad())
        {
            var w = randn(6, generator: new Generator(1));
            var b = randn(6, generator: new Generator(2));
            ours.get_parameter("weight")!.copy_(w);
            theirs.get_parameter("weight")!.copy_(w);
            ours.get_parameter("bias")!.copy_(b);
            theirs.get_parameter("bias")!.copy_(b);
        }

        var generator = new Generator(3);
        for (int step = 0; step < 3; step++)
        {
            var x = (3 * randn([4, 6, 5, 5], generator: generator) + 1).requires_grad_(true);
            var y1 = ours.forward(x);
            var y2 = theirs.forward(x);
            // Same kernel, same inputs: bitwise equal.
            Assert.True(Same(y1, y2), $"training step {step}: outputs differ");
            var g1 = autograd.grad([y1.pow(2).sum()], [x])[0];
            var g2 = autograd.grad([y2.pow(2).sum()], [x])[0];
            Assert.True(Same(g1, g2), $"training step {step}: input gradients differ");
        }
        var s1 = ours.state_dict();
        var s2 = theirs.state_dict();
        foreach (var name in s2.Keys)
            Assert.True(Same(s1[name], s2[name]), $"{name} differs after 3 training steps");
        Assert.Equal(3L, s1["num_batches_tracked"].item<long>());

        ours.eval();
        theirs.eval();
        var z = randn([2, 6, 3, 3], generator: generator);
        Assert.True(Same(ours.forward(z), theirs.forward(z)), "evaluation outputs differ");
        Assert.Equal(3L, ours.state_dict()["num_batches_tracked"].item<long>());
    }
}
