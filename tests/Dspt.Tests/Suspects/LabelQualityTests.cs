using Dspt.Suspects;

namespace Dspt.Tests.Suspects;

/// <summary>cleanlab's label-quality scores against values computed by hand (tolerance 1e-12: plain double arithmetic).</summary>
public class LabelQualityTests
{
    static readonly double[] P = [0.6, 0.3, 0.1];

    [Fact]
    public void Self_confidence_is_the_probability_of_the_given_label()
    {
        Assert.Equal(0.3, LabelQuality.SelfConfidence(P, 1));
        Assert.Equal(0.6, LabelQuality.SelfConfidence(P, 0));
    }

    [Fact]
    public void Normalized_margin_is_half_of_one_plus_given_minus_best_other()
    {
        Assert.Equal((0.3 - 0.6 + 1) / 2, LabelQuality.NormalizedMargin(P, 1), 12);   // 0.35
        Assert.Equal((0.6 - 0.3 + 1) / 2, LabelQuality.NormalizedMargin(P, 0), 12);   // 0.65
        Assert.Equal((0.1 - 0.6 + 1) / 2, LabelQuality.NormalizedMargin(P, 2), 12);   // 0.25
    }

    [Fact]
    public void Confidence_weighted_entropy_follows_cleanlab()
    {
        // H = -(0.6 ln 0.6 + 0.3 ln 0.3 + 0.1 ln 0.1) / ln 3 = 0.81734542214651; s = H / 0.3; ln(1 + s) / s.
        Assert.Equal(0.81734542214651, LabelQuality.NormalizedEntropy(P), 12);
        Assert.Equal(0.482633834582229, LabelQuality.ConfidenceWeightedEntropy(P, 1), 12);
        // Uniform: H = 1, s = 1 / (1/3) = 3, ln 4 / 3.
        Assert.Equal(Math.Log(4) / 3, LabelQuality.ConfidenceWeightedEntropy([1 / 3.0, 1 / 3.0, 1 / 3.0], 0), 12);
    }

    [Fact]
    public void A_saturated_prediction_scores_near_1_when_right_and_low_when_wrong()
    {
        // Entropy of (1, 1e-6, 1e-6) after clipping: 2 * 1e-6 * ln(1e6) / ln 3.
        double[] onehot = [1.0, 0, 0];
        Assert.Equal(2.515083929147261e-05, LabelQuality.NormalizedEntropy(onehot), 15);
        Assert.Equal(0.9999874247900462, LabelQuality.ConfidenceWeightedEntropy(onehot, 0), 12);
        Assert.Equal(0.12977226117375365, LabelQuality.ConfidenceWeightedEntropy(onehot, 1), 12);
        Assert.Equal(0, LabelQuality.NormalizedMargin(onehot, 1), 12);
        Assert.Equal(1, LabelQuality.NormalizedMargin(onehot, 0), 12);
    }
}
