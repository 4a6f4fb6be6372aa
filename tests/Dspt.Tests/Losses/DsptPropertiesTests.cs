using Dspt.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Losses;

/// <summary>The properties method.md (section 2) states for DSPT, checked numerically in float64.</summary>
public class DsptPropertiesTests
{
    /// <summary>
    /// Loss in [log(e + C - 1) - 1, log(e + C - 1)]: the lower bound is reached at a confident
    /// correct prediction (p = e_y), the upper at a confident wrong one. C = 100 gives [3.622, 4.622].
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(100)]
    public void LossStaysWithinItsBoundsAndReachesThem(int classes)
    {
        double upper = Math.Log(Math.E + classes - 1), lower = upper - 1;
        var loss = new DsptLoss();
        var generator = new Generator(3);
        foreach (var scale in new[] { 0.1, 1.0, 10.0, 100.0, 1000.0 })
        {
            var logits = scale * randn([200, classes], ScalarType.Float64, generator: generator);
            var labels = randint(classes, [200], generator: generator);
            var values = loss.PerSample(logits, labels);
            Assert.True(values.min().item<double>() >= lower - 1e-12, $"C={classes} scale {scale}: min {values.min().item<double>()} < {lower}");
            Assert.True(values.max().item<double>() <= upper + 1e-12, $"C={classes} scale {scale}: max {values.max().item<double>()} > {upper}");
        }
        var confident = zeros(1, classes, ScalarType.Float64);
        confident[0, 0] = 1000;
        Assert.Equal(lower, loss.PerSample(confident, tensor(new long[] { 0 })).item<double>(), 12);
        Assert.Equal(upper, loss.PerSample(confident, tensor(new long[] { 1 })).item<double>(), 12);
        if (classes == 100)
        {
            Assert.Equal(3.622, lower, 3);
            Assert.Equal(4.622, upper, 3);
        }
    }

    public static TheoryData<double, double, double, double> Table => new()
    {
        // p_y, CE, DSPT, MAE: method.md section 2 (C = 100, the rest of the mass on one wrong class).
        { 0.9, 0.141, 0.126, 0.127 },
        { 0.7, 0.424, 0.295, 0.297 },
        { 0.5, 0.707, 0.354, 0.354 },
        { 0.3, 0.990, 0.299, 0.297 },
        { 0.1, 1.273, 0.129, 0.127 },
        { 0.01, 1.400, 0.014, 0.014 },
    };

    /// <summary>Gradient norms wrt z reproduce method.md's table to its printed 3 decimals (atol 5e-4).</summary>
    [Theory]
    [MemberData(nameof(Table))]
    public void GradientNormsReproduceTheMethodTable(double py, double ce, double dspt, double mae)
    {
        Assert.Equal(ce, GradientNorm(new CrossEntropyLoss(), py), 5e-4);
        Assert.Equal(dspt, GradientNorm(new DsptLoss(), py), 5e-4);
        Assert.Equal(mae, GradientNorm(new MaeLoss(), py), 5e-4);
    }

    /// <summary>
    /// method.md prints 0.0013 for all three at p_y = 0.999, but with (p_y, 1 - p_y) on two
    /// classes CE's gradient p - e_y has norm sqrt(2) (1 - p_y) = 0.00141 exactly and MAE's is
    /// p_y times that; DSPT's is within 2 % of MAE's. We check these exact values.
    /// </summary>
    [Fact]
    public void GradientNormsAtNearlyCertainCorrectPrediction()
    {
        double exactCe = Math.Sqrt(2) * 0.001;
        Assert.Equal(exactCe, GradientNorm(new CrossEntropyLoss(), 0.999), 1e-12);
        Assert.Equal(0.999 * exactCe, GradientNorm(new MaeLoss(), 0.999), 1e-12);
        Assert.Equal(0.999 * exactCe, GradientNorm(new DsptLoss(), 0.999), 0.02 * exactCe);
    }

    /// <summary>Norm of d loss / d z for one sample with p = (p_y, 1 - p_y, 0, ..., 0), C = 100.</summary>
    static double GradientNorm(IPromptLoss loss, double py)
    {
        // log p as logits; the 98 empty classes get -1e4, whose exp underflows to exactly 0.
        var logits = full(1, 100, -1e4, ScalarType.Float64);
        logits[0, 0] = Math.Log(py);
        logits[0, 1] = Math.Log(1 - py);
        logits.requires_grad_();
        var grad = torch.autograd.grad([loss.PerSample(logits, tensor(new long[] { 0 })).sum()], [logits])[0];
        return grad.norm().item<double>();
    }
}
