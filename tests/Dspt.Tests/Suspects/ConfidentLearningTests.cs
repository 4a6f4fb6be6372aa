using Dspt.Suspects;

namespace Dspt.Tests.Suspects;

/// <summary>
/// Confident learning on six samples whose every step is worked out by hand: samples 1 (given 0,
/// looks like 1) and 5 (given 2, looks like 0) are the wrong labels.
/// </summary>
public class ConfidentLearningTests
{
    static readonly double[][] Probs =
    [
        [0.8, 0.1, 0.1],
        [0.2, 0.7, 0.1],
        [0.1, 0.8, 0.1],
        [0.1, 0.6, 0.3],
        [0.1, 0.1, 0.8],
        [0.6, 0.2, 0.2],
    ];
    static readonly int[] Labels = [0, 0, 1, 1, 2, 2];

    [Fact]
    public void Thresholds_are_the_mean_probability_of_each_class_over_the_samples_given_it()
    {
        var t = ConfidentLearning.Thresholds(Probs, Labels, 3);
        Assert.Equal(0.5, t[0], 12);   // (0.8 + 0.2) / 2
        Assert.Equal(0.7, t[1], 12);   // (0.8 + 0.6) / 2
        Assert.Equal(0.5, t[2], 12);   // (0.8 + 0.2) / 2
        // A class nobody was given can never be confidently predicted.
        Assert.Equal(ConfidentLearning.AbsentClassThreshold, ConfidentLearning.Thresholds(Probs, [0, 0, 1, 1, 1, 1], 3)[2]);
    }

    [Fact]
    public void Confident_labels_take_the_class_above_its_threshold_or_none()
    {
        // Sample 3: 0.6 < t1 = 0.7, 0.3 < t2, 0.1 < t0: no class.
        Assert.Equal([0, 1, 1, -1, 2, 0], ConfidentLearning.ConfidentLabels(Probs, ConfidentLearning.Thresholds(Probs, Labels, 3)));
        // Two classes above threshold: the argmax wins.
        Assert.Equal([1], ConfidentLearning.ConfidentLabels([[0.45, 0.55]], [0.4, 0.5]));
    }

    [Fact]
    public void Confident_joint_counts_given_against_confident_label()
    {
        long[,] expected = { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 1 } };
        Assert.Equal(expected, ConfidentLearning.ConfidentJoint(Probs, Labels, 3, calibrate: false));
        // Calibrated: rows rescaled to the given counts (2, 2, 2): row 1 [0, 1, 0] becomes [0, 2, 0].
        long[,] calibrated = { { 1, 1, 0 }, { 0, 2, 0 }, { 1, 0, 1 } };
        Assert.Equal(calibrated, ConfidentLearning.ConfidentJoint(Probs, Labels, 3, calibrate: true));
    }

    [Fact]
    public void Calibration_rescales_rows_to_the_label_counts_and_rounds_preserving_row_totals()
    {
        // Five samples given 0, one given 1; cj rows [3, 1] and [0, 2].
        // Row 0: [3, 1] / 4 * 5 = [3.75, 1.25] -> [4, 1]; row 1: [0, 2] / 2 * 1 = [0, 1]; total 6 = N.
        long[,] cj = { { 3, 1 }, { 0, 2 } };
        Assert.Equal(new long[,] { { 4, 1 }, { 0, 1 } }, ConfidentLearning.Calibrate(cj, [0, 0, 0, 0, 0, 1], 2));
        // Half to even gives [2, 2, 1] = 5 for a row summing to 4: cleanlab steps back the entry with
        // the largest (value - rounded), here the exact 1 (ties resolved from the last column).
        Assert.Equal(new long[,] { { 2, 2, 0 } }, ConfidentLearning.RoundPreservingRowTotals(new double[,] { { 1.5, 1.5, 1.0 } }));
        // [0, 0, 0] for a row summing to 1: the largest remainder among the tied 0.4s, the later one.
        Assert.Equal(new long[,] { { 0, 1, 0 } }, ConfidentLearning.RoundPreservingRowTotals(new double[,] { { 0.4, 0.4, 0.2 } }));
    }

    [Fact]
    public void Estimated_issue_count_is_the_off_diagonal_not_predicted_as_given()
    {
        Assert.Equal(2, ConfidentLearning.EstimatedIssueCount(Probs, Labels, 3));
        double[][] probs = [.. Probs.Take(5), [0.45, 0.1, 0.45]];
        // t2 = (0.8 + 0.45) / 2 = 0.625, t0 = 0.5: sample 5 is confident in no class now: one issue left.
        Assert.Equal(1, ConfidentLearning.EstimatedIssueCount(probs, Labels, 3));
    }

    [Fact]
    public void Estimated_joint_gives_the_noise_rate_overall_and_per_class()
    {
        var q = ConfidentLearning.EstimatedJoint(Probs, Labels, 3);
        Assert.Equal(1 - 4 / 6.0, 1 - (q[0, 0] + q[1, 1] + q[2, 2]), 12);
        var scored = SuspectScoring.Score(Probs, Labels, 3);
        Assert.Equal(1 / 3.0, scored.EstimatedNoiseRate, 12);
        Assert.Equal([0.5, 0, 0.5], scored.EstimatedNoiseRateByClass.Select(r => Math.Round(r, 12)));
        Assert.Equal(2, scored.EstimatedIssues);
    }

    [Fact]
    public void Prune_by_noise_rate_flags_the_largest_margins_of_each_off_diagonal_count()
    {
        // Transposed joint [true, given] = [[1,0,1],[1,2,0],[0,0,1]]: one sample given 0 that is
        // truly 1 (largest p1 - p0: sample 1), one given 2 that is truly 0 (largest p0 - p2: sample 5).
        Assert.Equal([false, true, false, false, false, true], ConfidentLearning.PruneByNoiseRate(Probs, Labels, 3));
    }
}
