namespace Dspt.Suspects;

/// <summary>
/// Confident learning (Northcutt, Jiang and Chuang, JAIR 2021) as cleanlab's
/// <c>count.compute_confident_joint</c>, <c>count.num_label_issues</c> and
/// <c>filter.find_label_issues(filter_by="prune_by_noise_rate")</c> compute it, on N x K
/// out-of-sample probabilities and the given labels. Matrices are [given label, true label].
/// </summary>
public static class ConfidentLearning
{
    /// <summary>cleanlab's tolerance when comparing a probability with a threshold.</summary>
    public const double ThresholdSlack = 1e-6;

    /// <summary>cleanlab's FLOATING_POINT_COMPARISON: a tie between p_y and the argmax counts for y.</summary>
    public const double TieSlack = 1e-6;

    /// <summary>cleanlab's BIG_VALUE: the threshold of a class no sample was given, so nothing is confidently in it.</summary>
    public const double AbsentClassThreshold = 1e10;

    /// <summary>t_k = mean of p_k over the samples given label k.</summary>
    public static double[] Thresholds(IReadOnlyList<double[]> probs, IReadOnlyList<int> labels, int numClasses)
    {
        var sum = new double[numClasses];
        var count = new int[numClasses];
        for (int i = 0; i < labels.Count; i++)
        {
            sum[labels[i]] += probs[i][labels[i]];
            count[labels[i]]++;
        }
        return [.. sum.Select((s, k) => count[k] > 0 ? s / count[k] : AbsentClassThreshold)];
    }

    /// <summary>
    /// The guessed true label of every sample: the one class whose probability reaches its
    /// threshold, the argmax among several, none (-1) when no class does.
    /// </summary>
    public static int[] ConfidentLabels(IReadOnlyList<double[]> probs, double[] thresholds)
    {
        var result = new int[probs.Count];
        for (int i = 0; i < probs.Count; i++)
        {
            var p = probs[i];
            int first = -1, confident = 0;
            for (int k = 0; k < p.Length; k++)
                if (p[k] >= thresholds[k] - ThresholdSlack)
                {
                    confident++;
                    if (first < 0) first = k;
                }
            result[i] = confident == 0 ? -1 : confident == 1 ? first : ArgMax(p);
        }
        return result;
    }

    /// <summary>
    /// Counts of (given label, confident label), every diagonal entry raised to at least 1;
    /// with <paramref name="calibrate"/>, rows rescaled to the given-label counts, the whole to N,
    /// and rounded preserving row totals (cleanlab's <c>calibrate_confident_joint</c>).
    /// </summary>
    public static long[,] ConfidentJoint(IReadOnlyList<double[]> probs, IReadOnlyList<int> labels, int numClasses, bool calibrate)
    {
        var guess = ConfidentLabels(probs, Thresholds(probs, labels, numClasses));
        var cj = new long[numClasses, numClasses];
        for (int i = 0; i < labels.Count; i++)
            if (guess[i] >= 0) cj[labels[i], guess[i]]++;
        for (int k = 0; k < numClasses; k++) cj[k, k] = Math.Max(cj[k, k], 1);
        return calibrate ? Calibrate(cj, labels, numClasses) : cj;
    }

    public static long[,] Calibrate(long[,] cj, IReadOnlyList<int> labels, int numClasses)
    {
        var labelCounts = new double[numClasses];
        foreach (int y in labels) labelCounts[y]++;
        var scaled = new double[numClasses, numClasses];
        double total = 0;
        for (int r = 0; r < numClasses; r++)
        {
            double rowSum = 0;
            for (int c = 0; c < numClasses; c++) rowSum += cj[r, c];
            rowSum = Math.Max(rowSum, double.Epsilon);
            for (int c = 0; c < numClasses; c++)
            {
                scaled[r, c] = cj[r, c] / rowSum * labelCounts[r];
                total += scaled[r, c];
            }
        }
        double n = labelCounts.Sum();
        for (int r = 0; r < numClasses; r++)
            for (int c = 0; c < numClasses; c++)
                scaled[r, c] = scaled[r, c] / Math.Max(total, double.Epsilon) * n;
        return RoundPreservingRowTotals(scaled);
    }

    /// <summary>
    /// cleanlab's <c>round_preserving_row_totals</c>: every row rounded half to even, then while
    /// the row's rounded total differs from round(row sum), the entries with the largest
    /// (value - rounded) move one step towards the total (ties: the later column first, as numpy's
    /// stable argsort reversed).
    /// </summary>
    public static long[,] RoundPreservingRowTotals(double[,] m)
    {
        int rows = m.GetLength(0), cols = m.GetLength(1);
        var result = new long[rows, cols];
        for (int r = 0; r < rows; r++)
        {
            var floats = new double[cols];
            var ints = new double[cols];
            for (int c = 0; c < cols; c++)
            {
                floats[c] = m[r, c];
                ints[c] = Math.Round(floats[c], MidpointRounding.ToEven);
            }
            double target = Math.Round(floats.Sum(), MidpointRounding.ToEven);
            for (int guard = 0; Math.Abs(ints.Sum() - target) > 1e-6 && guard < 1000; guard++)
            {
                double diff = Math.Round(target - ints.Sum(), MidpointRounding.ToEven);
                int step = diff < 0 ? -1 : 1;
                int changes = Math.Min((int)Math.Abs(diff), cols);
                var order = Enumerable.Range(0, cols).OrderBy(c => floats[c] - ints[c]).ToArray();
                Array.Reverse(order);
                foreach (int c in order.Take(changes)) ints[c] += step;
            }
            for (int c = 0; c < cols; c++) result[r, c] = (long)ints[c];
        }
        return result;
    }

    /// <summary>
    /// cleanlab's default estimate of how many labels are wrong (<c>num_label_issues</c>,
    /// "off_diagonal"): the samples counted off the diagonal of the uncalibrated confident joint,
    /// less those whose argmax (ties going to the given label) is the given label.
    /// </summary>
    public static int EstimatedIssueCount(IReadOnlyList<double[]> probs, IReadOnlyList<int> labels, int numClasses)
    {
        var guess = ConfidentLabels(probs, Thresholds(probs, labels, numClasses));
        int count = 0;
        for (int i = 0; i < labels.Count; i++)
            if (guess[i] >= 0 && guess[i] != labels[i] && !PredictsGiven(probs[i], labels[i])) count++;
        return count;
    }

    /// <summary>
    /// The calibrated joint divided by N ("off_diagonal_calibrated"): the estimated fraction of
    /// wrong labels is 1 - its trace, per given class k 1 - Q[k,k] / sum_j Q[k,j].
    /// </summary>
    public static double[,] EstimatedJoint(IReadOnlyList<double[]> probs, IReadOnlyList<int> labels, int numClasses)
    {
        var cj = ConfidentJoint(probs, labels, numClasses, calibrate: true);
        double total = 0;
        foreach (long v in cj) total += v;
        var q = new double[numClasses, numClasses];
        for (int r = 0; r < numClasses; r++)
            for (int c = 0; c < numClasses; c++)
                q[r, c] = cj[r, c] / Math.Max(total, double.Epsilon);
        return q;
    }

    /// <summary>
    /// <c>find_label_issues(filter_by="prune_by_noise_rate")</c> with its defaults
    /// (min_examples_per_class 1, frac_noise 1): from the calibrated confident joint, for every
    /// given class k and other class j flag the n[j,k] samples given k with the largest
    /// p_j - p_k, where n is the joint transposed with every class kept at least one sample;
    /// then unflag every sample whose argmax is its given label.
    /// </summary>
    public static bool[] PruneByNoiseRate(IReadOnlyList<double[]> probs, IReadOnlyList<int> labels, int numClasses)
    {
        var cj = ConfidentJoint(probs, labels, numClasses, calibrate: true);
        var prune = KeepAtLeastOnePerClass(cj, numClasses);
        var flagged = new bool[labels.Count];
        for (int k = 0; k < numClasses; k++)
        {
            var members = Enumerable.Range(0, labels.Count).Where(i => labels[i] == k).ToArray();
            if (members.Length <= 1) continue;
            for (int j = 0; j < numClasses; j++)
            {
                long n = prune[j, k];
                if (j == k || n <= 0) continue;
                // Largest margin first; numpy's argsort(-margin) is stable for ties.
                foreach (int i in members.OrderByDescending(i => probs[i][j] - probs[i][k]).Take((int)Math.Min(n, members.Length)))
                    flagged[i] = true;
            }
        }
        for (int i = 0; i < labels.Count; i++)
            if (ArgMax(probs[i]) == labels[i]) flagged[i] = false;
        return flagged;
    }

    /// <summary>
    /// cleanlab's <c>_keep_at_least_n_per_class</c> with n = 1 on the transposed joint
    /// [true, given]: a column whose diagonal is below 1 is raised to 1 and the amount taken evenly
    /// from its other non-zero entries; then truncated to integers and rounded preserving row totals.
    /// </summary>
    static long[,] KeepAtLeastOnePerClass(long[,] cj, int numClasses)
    {
        var m = new double[numClasses, numClasses];
        for (int r = 0; r < numClasses; r++)
            for (int c = 0; c < numClasses; c++)
                m[r, c] = cj[c, r];
        for (int c = 0; c < numClasses; c++)
        {
            double diag = m[c, c], raised = Math.Max(diag, 1);
            double nonZero = 0;
            for (int r = 0; r < numClasses; r++) if (m[r, c] != 0) nonZero++;
            double perEntry = (raised - diag) / Math.Max(nonZero - 1, 1);
            for (int r = 0; r < numClasses; r++)
                m[r, c] = r == c ? raised : Math.Max(m[r, c] - perEntry, 0);
        }
        for (int r = 0; r < numClasses; r++)
            for (int c = 0; c < numClasses; c++)
                m[r, c] = Math.Truncate(m[r, c]);
        return RoundPreservingRowTotals(m);
    }

    static bool PredictsGiven(double[] p, int y)
    {
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int k = 0; k < p.Length; k++)
        {
            double v = k == y ? p[k] + TieSlack : p[k];
            if (v > bestValue) { bestValue = v; best = k; }
        }
        return best == y;
    }

    internal static int ArgMax(double[] p)
    {
        int best = 0;
        for (int k = 1; k < p.Length; k++)
            if (p[k] > p[best]) best = k;
        return best;
    }
}
