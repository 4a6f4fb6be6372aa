namespace Dspt.Suspects;

/// <summary>
/// cleanlab's label-quality scores (cleanlab.rank, <c>get_label_quality_scores</c> with
/// <c>adjust_pred_probs=False</c>), per sample from out-of-sample probabilities p (rows sum to 1)
/// and the given label y. Every score lies in [0, 1]; lower means the given label is less likely
/// right, so a ranking of suspects sorts them ascending.
/// </summary>
public static class LabelQuality
{
    /// <summary>cleanlab clips to this before dividing and taking logs in the entropy score.</summary>
    public const double MinAllowed = 1e-6;

    /// <summary>p_y: the probability of the given label.</summary>
    public static double SelfConfidence(ReadOnlySpan<double> p, int y) => p[y];

    /// <summary>(p_y - max_{k != y} p_k + 1) / 2.</summary>
    public static double NormalizedMargin(ReadOnlySpan<double> p, int y)
    {
        double other = double.NegativeInfinity;
        for (int k = 0; k < p.Length; k++)
            if (k != y && p[k] > other) other = p[k];
        return (p[y] - other + 1) / 2;
    }

    /// <summary>
    /// -sum q_k ln q_k / ln K with q_k = max(p_k, 1e-6), as cleanlab 2.0-2.4's
    /// <c>get_normalized_entropy(min_allowed_prob=1e-6)</c>. Later versions dropped the clip, which
    /// makes a (float32-)saturated, correctly labelled sample score 0 below (s &lt; 1e-6 in
    /// <see cref="ConfidenceWeightedEntropy"/>), the most suspicious value; the clip keeps it near 1.
    /// </summary>
    public static double NormalizedEntropy(ReadOnlySpan<double> p)
    {
        double h = 0;
        foreach (double v in p)
        {
            double q = Math.Max(v, MinAllowed);
            h -= q * Math.Log(q);
        }
        return h / Math.Log(p.Length);
    }

    /// <summary>
    /// s = H_norm(p) / max(p_y, 1e-6), then ln(s + 1) / max(s, 1e-6): high when the prediction is
    /// confident (low entropy) and agrees with the given label.
    /// </summary>
    public static double ConfidenceWeightedEntropy(ReadOnlySpan<double> p, int y)
    {
        double s = NormalizedEntropy(p) / Math.Max(p[y], MinAllowed);
        return Math.Log(s + 1) / Math.Max(s, MinAllowed);
    }
}
