using Dspt.Suspects;

namespace Dspt.Tests.Suspects;

/// <summary>Detection metrics on four samples worked out by hand.</summary>
public class DetectionMetricsTests
{
    static readonly double[] Suspicion = [0.9, 0.8, 0.7, 0.1];
    static readonly bool[] Wrong = [true, false, true, false];

    [Fact]
    public void Precision_recall_and_f1_at_a_count()
    {
        var (p, r, f1) = DetectionMetrics.AtCount(Suspicion, Wrong, 2);   // flags 0 and 1: one hit of two wrong
        Assert.Equal(0.5, p);
        Assert.Equal(0.5, r);
        Assert.Equal(0.5, f1);
        Assert.Equal(2 / 3.0, DetectionMetrics.PrecisionAtK(Suspicion, Wrong, 3), 12);
        Assert.Equal(1.0, DetectionMetrics.PrecisionAtK(Suspicion, Wrong, 1));
        Assert.Equal((0.0, 0.0, 0.0), DetectionMetrics.AtCount(Suspicion, Wrong, 0));
    }

    [Fact]
    public void Auroc_counts_ordered_pairs_and_half_ties()
    {
        // Pairs (wrong, right): (0.9, 0.8) yes, (0.9, 0.1) yes, (0.7, 0.8) no, (0.7, 0.1) yes.
        Assert.Equal(0.75, DetectionMetrics.Auroc(Suspicion, Wrong), 12);
        Assert.Equal(0.5, DetectionMetrics.Auroc([0.5, 0.5], [true, false]), 12);
        Assert.Equal(1.0, DetectionMetrics.Auroc([0.9, 0.2, 0.3], [true, false, false]), 12);
        Assert.True(double.IsNaN(DetectionMetrics.Auroc([0.1, 0.2], [false, false])));
    }

    [Fact]
    public void Auprc_is_average_precision_over_thresholds()
    {
        // Recall steps 0.5 at precision 1 (top 1) and 0.5 at precision 2/3 (top 3).
        Assert.Equal(0.5 * 1 + 0.5 * 2 / 3.0, DetectionMetrics.Auprc(Suspicion, Wrong), 12);
        // A tie between a wrong and a right label is one threshold: recall 1 at precision 1/2.
        Assert.Equal(0.5, DetectionMetrics.Auprc([0.5, 0.5], [true, false]), 12);
    }
}
