using static TorchSharp.torch;

namespace Dspt.Tests;

/// <summary>Tensor comparisons for every test, in float64, with messages that say by how much.</summary>
static class TensorAssert
{
    /// <summary>max |a - b| over all elements, in float64.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>|expected - actual| &lt;= atol + rtol |expected| everywhere (numpy's allclose rule).</summary>
    public static void Close(Tensor expected, Tensor actual, double atol, double rtol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs();
        var bound = atol + rtol * expected.to(ScalarType.Float64).abs();
        var worst = (diff - bound).max().item<double>();
        Assert.True(worst <= 0, $"{what}: max |diff| {diff.max().item<double>():E3} exceeds atol {atol} + rtol {rtol}*|ref|");
    }

    /// <summary>Every element of <paramref name="actual"/> within <paramref name="atol"/> of <paramref name="value"/>.</summary>
    public static void AllNear(Tensor actual, double value, double atol, string what)
    {
        using var scope = NewDisposeScope();
        double worst = actual.to(ScalarType.Float64).sub(value).abs().max().item<double>();
        Assert.True(worst <= atol, $"{what}: max |x - {value}| = {worst:E3} exceeds {atol}");
    }
}
