using Dspt.Bench;

namespace Dspt.Tests.Bench;

public class ClipFlopsTests
{
    /// <summary>
    /// The floors in the benchmarks rest on these counts. Reference: ../shared/notes/benchmarking-here.md
    /// (PyTorch profiler and an analytic count agreed): ViT-B/16 image 35.1 GFLOP, RN50 11.6, and a
    /// 77-token ViT-B/16 text prompt 12.07 GFLOP forward + backward (the backward to the input only,
    /// i.e. one more forward's worth). We leave out norms/softmax/activations, so allow 3 %.
    /// </summary>
    [Fact]
    public void MatchesTheProfilerCounts()
    {
        var vit = EncodeBench.Models.Single(m => m.Name == "ViT-B/16").Config;
        var rn = EncodeBench.Models.Single(m => m.Name == "RN50").Config;
        Assert.InRange(ClipFlops.ImageForward(vit) / 1e9, 35.1 * 0.97, 35.1 * 1.03);
        Assert.InRange(ClipFlops.ImageForward(rn) / 1e9, 11.6 * 0.97, 11.6 * 1.03);
        Assert.InRange(2 * ClipFlops.TextForward(vit, 77) / 1e9, 12.07 * 0.97, 12.07 * 1.03);
    }
}
