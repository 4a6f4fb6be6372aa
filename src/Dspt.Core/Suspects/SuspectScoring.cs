namespace Dspt.Suspects;

/// <summary>All scores of a set of samples, and confident learning's estimates of the noise.</summary>
public sealed record ScoredSet(
    IReadOnlyList<SampleScores> Samples,
    int EstimatedIssues,
    double EstimatedNoiseRate,
    IReadOnlyList<double> EstimatedNoiseRateByClass,
    double[,] EstimatedJoint);

/// <summary>
/// Scores every sample from (out-of-sample) probabilities: cleanlab's three label-quality scores,
/// confident learning's issue flags and issue count, NLPrompt's OT disagreement, the suggested
/// label. The scores that rank suspects are registered by name in <see cref="Rankings"/>, each
/// turned into a suspicion (higher = more suspicious).
/// </summary>
public static class SuspectScoring
{
    public static ScoredSet Score(IReadOnlyList<double[]> probs, IReadOnlyList<int> labels, int numClasses)
    {
        if (probs.Count != labels.Count) throw new ArgumentException($"{probs.Count} probability rows but {labels.Count} labels");
        if (probs.Count == 0) throw new InvalidInputException("no training items to score");
        for (int i = 0; i < probs.Count; i++)
        {
            if (probs[i].Length != numClasses) throw new ArgumentException($"row {i} has {probs[i].Length} probabilities, expected {numClasses}");
            if ((uint)labels[i] >= (uint)numClasses) throw new ArgumentException($"label {labels[i]} of row {i} is out of range for {numClasses} classes");
        }
        var issues = ConfidentLearning.PruneByNoiseRate(probs, labels, numClasses);
        var ot = OtDisagreement.Compute(probs, labels);
        var samples = new SampleScores[probs.Count];
        for (int i = 0; i < probs.Count; i++)
        {
            var p = probs[i];
            int y = labels[i], suggested = ConfidentLearning.ArgMax(p);
            samples[i] = new SampleScores(y, suggested, p[suggested],
                LabelQuality.SelfConfidence(p, y), LabelQuality.NormalizedMargin(p, y), LabelQuality.ConfidenceWeightedEntropy(p, y),
                issues[i], ot.PseudoLabels[i], ot.GivenShare[i]);
        }
        var joint = ConfidentLearning.EstimatedJoint(probs, labels, numClasses);
        double trace = 0;
        var byClass = new double[numClasses];
        for (int k = 0; k < numClasses; k++)
        {
            trace += joint[k, k];
            double row = 0;
            for (int j = 0; j < numClasses; j++) row += joint[k, j];
            byClass[k] = row > 0 ? 1 - joint[k, k] / row : 0;
        }
        return new ScoredSet(samples, ConfidentLearning.EstimatedIssueCount(probs, labels, numClasses), 1 - trace, byClass, joint);
    }

    /// <summary>
    /// A named suspicion: higher = the given label is more likely wrong. Quality scores are
    /// negated rather than subtracted from 1, which would round tiny probabilities together.
    /// </summary>
    public sealed record Ranking(string Name, string Description, Func<SampleScores, double> Suspicion);

    public static IReadOnlyList<Ranking> Rankings { get; } =
    [
        new("self_confidence", "cleanlab's self-confidence (probability of the given label)", s => -s.SelfConfidence),
        new("normalized_margin", "cleanlab's normalized margin", s => -s.NormalizedMargin),
        new("confidence_weighted_entropy", "cleanlab's confidence-weighted entropy", s => -s.ConfidenceWeightedEntropy),
        new("confident_learning", "confident learning's prune_by_noise_rate flag, ties by self-confidence", s => (s.ConfidentIssue ? 2 : 0) - s.SelfConfidence),
        new("ot_disagreement", "NLPrompt's OT pseudo-label differs from the given one, ties by the plan's share of the given label", s => (s.OtDisagrees ? 2 : 0) - s.OtGivenShare),
    ];

    public static Ranking RankingNamed(string name) =>
        Rankings.FirstOrDefault(r => r.Name == name)
        ?? throw new InvalidInputException($"--rank-by '{name}': expected one of {string.Join(", ", Rankings.Select(r => r.Name))}");
}
