namespace Dspt.Suspects;

/// <summary>Everything `dspt suspects` found, ready to be written out.</summary>
public sealed record SuspectsResult(
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<SuspectItem> Items,
    ScoredSet Scored,
    SuspectScoring.Ranking RankedBy,
    bool OutOfSample,
    int PrecisionK)
{
    public bool TruthKnown => Items.All(i => i.Truth is not null);

    /// <summary>Item indices from most to least suspicious under <see cref="RankedBy"/>.</summary>
    public int[] Order() => DetectionMetrics.Ranking([.. Items.Select(i => RankedBy.Suspicion(i.Scores))]);

    /// <summary>Every score that ranks suspects, the references included when computed, as suspicions.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<double> Suspicion)> AllSuspicions()
    {
        string prefix = OutOfSample ? "" : "in-sample ";
        var list = new List<(string, IReadOnlyList<double>)>();
        foreach (var r in SuspectScoring.Rankings)
            list.Add((prefix + r.Name, Items.Select(i => r.Suspicion(i.Scores)).ToArray()));
        if (Items.All(i => !double.IsNaN(i.ZeroShotConfidence)))
            list.Add(("reference: zero-shot CLIP p(given)", Items.Select(i => -i.ZeroShotConfidence).ToArray()));
        if (Items.All(i => !double.IsNaN(i.InSampleConfidence)))
            list.Add(("reference: in-sample CE p(given)", Items.Select(i => -i.InSampleConfidence).ToArray()));
        return list;
    }

    /// <summary>
    /// Detection quality of every score, given the truth: flag-type scores (confident learning,
    /// OT disagreement) at their own number of flags, the others at confident learning's
    /// estimated number of issues; precision at <see cref="PrecisionK"/>.
    /// </summary>
    public IReadOnlyList<DetectionQuality> Detection()
    {
        if (!TruthKnown) return [];
        var wrong = Items.Select(i => i.IsWrong!.Value).ToArray();
        int clFlags = Items.Count(i => i.Scores.ConfidentIssue), otFlags = Items.Count(i => i.Scores.OtDisagrees);
        return [.. AllSuspicions().Select(s => DetectionMetrics.Evaluate(s.Name, s.Suspicion, wrong,
            s.Name.EndsWith("confident_learning") ? clFlags : s.Name.EndsWith("ot_disagreement") ? otFlags : Scored.EstimatedIssues,
            PrecisionK))];
    }
}
