namespace Dspt.Suspects;

/// <summary>
/// Detection metrics for a suspicion score (higher = more suspicious) against the truth
/// (true = the given label is wrong). Ties are broken by sample index (lower first), the order a
/// reviewer sees, for the counts; AUROC counts a tie between a wrong and a right label as one
/// half (Mann-Whitney); AUPRC is average precision over distinct thresholds, as scikit-learn's
/// <c>average_precision_score</c>.
/// </summary>
public static class DetectionMetrics
{
    public static DetectionQuality Evaluate(string name, IReadOnlyList<double> suspicion, IReadOnlyList<bool> wrong, int flaggedCount, int k)
    {
        var (p, r, f1) = AtCount(suspicion, wrong, flaggedCount);
        return new DetectionQuality(name, flaggedCount, p, r, f1, k, PrecisionAtK(suspicion, wrong, k), Auroc(suspicion, wrong), Auprc(suspicion, wrong));
    }

    /// <summary>Indices from most to least suspicious (stable: equal scores keep index order).</summary>
    public static int[] Ranking(IReadOnlyList<double> suspicion) =>
        [.. Enumerable.Range(0, suspicion.Count).OrderByDescending(i => suspicion[i])];

    /// <summary>Precision, recall and F1 of flagging the <paramref name="count"/> most suspicious samples.</summary>
    public static (double Precision, double Recall, double F1) AtCount(IReadOnlyList<double> suspicion, IReadOnlyList<bool> wrong, int count)
    {
        Check(suspicion, wrong);
        count = Math.Clamp(count, 0, suspicion.Count);
        int positives = wrong.Count(w => w);
        int hits = Ranking(suspicion).Take(count).Count(i => wrong[i]);
        double precision = count == 0 ? 0 : (double)hits / count;
        double recall = positives == 0 ? 0 : (double)hits / positives;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }

    public static double PrecisionAtK(IReadOnlyList<double> suspicion, IReadOnlyList<bool> wrong, int k) => AtCount(suspicion, wrong, k).Precision;

    /// <summary>P(score of a wrong label &gt; score of a right one) + P(tie) / 2; NaN without both kinds.</summary>
    public static double Auroc(IReadOnlyList<double> suspicion, IReadOnlyList<bool> wrong)
    {
        Check(suspicion, wrong);
        int n = suspicion.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => suspicion[i]).ToArray();
        // Mid-ranks of tied groups (1-based).
        var rank = new double[n];
        for (int a = 0; a < n;)
        {
            int b = a;
            while (b + 1 < n && suspicion[order[b + 1]] == suspicion[order[a]]) b++;
            double mid = (a + b) / 2.0 + 1;
            for (int t = a; t <= b; t++) rank[order[t]] = mid;
            a = b + 1;
        }
        long pos = wrong.Count(w => w), neg = n - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        double rankSum = Enumerable.Range(0, n).Where(i => wrong[i]).Sum(i => rank[i]);
        return (rankSum - pos * (pos + 1) / 2.0) / (pos * (double)neg);
    }

    /// <summary>sum over distinct thresholds (descending) of (R_t - R_{t-1}) P_t; NaN without a wrong label.</summary>
    public static double Auprc(IReadOnlyList<double> suspicion, IReadOnlyList<bool> wrong)
    {
        Check(suspicion, wrong);
        int positives = wrong.Count(w => w);
        if (positives == 0) return double.NaN;
        double ap = 0, lastRecall = 0;
        foreach (var (recall, precision) in PrCurve(suspicion, wrong))
        {
            ap += (recall - lastRecall) * precision;
            lastRecall = recall;
        }
        return ap;
    }

    /// <summary>(recall, precision) after each distinct threshold, from the most suspicious down.</summary>
    public static IEnumerable<(double Recall, double Precision)> PrCurve(IReadOnlyList<double> suspicion, IReadOnlyList<bool> wrong)
    {
        Check(suspicion, wrong);
        int positives = wrong.Count(w => w);
        var order = Ranking(suspicion);
        int seen = 0, hits = 0;
        for (int a = 0; a < order.Length;)
        {
            int b = a;
            while (b + 1 < order.Length && suspicion[order[b + 1]] == suspicion[order[a]]) b++;
            for (int t = a; t <= b; t++)
            {
                seen++;
                if (wrong[order[t]]) hits++;
            }
            yield return (positives == 0 ? 0 : (double)hits / positives, (double)hits / seen);
            a = b + 1;
        }
    }

    static void Check(IReadOnlyList<double> suspicion, IReadOnlyList<bool> wrong)
    {
        if (suspicion.Count != wrong.Count)
            throw new ArgumentException($"{suspicion.Count} scores but {wrong.Count} truth values");
    }
}
