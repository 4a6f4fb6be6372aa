using static TorchSharp.torch;

namespace Dspt.Tests;

public class TorchLoadsTests
{
    /// <summary>Fails if libLibTorchSharp.so could not be loaded (e.g. the GLIBCXX patch was not applied).</summary>
    [Fact]
    public void TorchSharpRunsAMatmulAndAutograd()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2).requires_grad_(true);
        using var b = a.matmul(a).sum();
        b.backward();
        Assert.Equal(54f, b.item<float>());
        // d/dA sum(A A) = 1 A^T + A^T 1: (i,j) = rowsum_j + colsum_i.
        Assert.Equal(new float[] { 7, 11, 9, 13 }, a.grad!.data<float>().ToArray());
    }
}
