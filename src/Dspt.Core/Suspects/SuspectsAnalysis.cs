namespace Dspt.Suspects;

/// <summary>Turns the probabilities of a suspects run into its result: every score per item, the references beside them.</summary>
public static class SuspectsAnalysis
{
    /// <param name="probs">the probabilities scored (out of sample for cross-fitting, in sample for --run)</param>
    /// <param name="folds">the fold that held each item out; -1 for in-sample scoring</param>
    /// <param name="zeroShot">zero-shot CLIP's probabilities, or null</param>
    /// <param name="inSample">a CE prompt trained on every item, scoring them, or null</param>
    public static SuspectsResult Build(IReadOnlyList<string> classNames, IReadOnlyList<string> paths, IReadOnlyList<int> given,
        IReadOnlyList<int>? truth, IReadOnlyList<int> folds, IReadOnlyList<double[]> probs, IReadOnlyList<double[]>? zeroShot,
        IReadOnlyList<double[]>? inSample, SuspectScoring.Ranking rankBy, bool outOfSample, int precisionK)
    {
        var scored = SuspectScoring.Score(probs, given, classNames.Count);
        var items = new SuspectItem[paths.Count];
        for (int i = 0; i < items.Length; i++)
            items[i] = new SuspectItem(paths[i], given[i], truth?[i], folds[i], scored.Samples[i],
                zeroShot is null ? double.NaN : zeroShot[i][given[i]], inSample is null ? double.NaN : inSample[i][given[i]]);
        return new SuspectsResult(classNames, items, scored, rankBy, outOfSample, precisionK);
    }
}
