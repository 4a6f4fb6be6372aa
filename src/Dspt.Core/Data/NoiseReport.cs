namespace Dspt.Data;

/// <summary>
/// The noise that was actually injected, computed from the items themselves: how many training
/// labels are wrong, per class (by true class and by given class), and the clean -> given
/// transition counts (row = clean label, column = label training sees).
/// </summary>
public sealed record NoiseReport(
    int Total,
    int Corrupted,
    IReadOnlyList<int> CorruptedByCleanClass,
    IReadOnlyList<int> CorruptedByNoisyClass,
    IReadOnlyList<IReadOnlyList<int>> Transition)
{
    /// <summary>Realised noise rate: the fraction of training items whose label is wrong.</summary>
    public double Rate => Total == 0 ? 0 : (double)Corrupted / Total;

    public static NoiseReport From(IReadOnlyList<NoisyItem> items, int numClasses)
    {
        var transition = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) transition[c] = new int[numClasses];
        var byClean = new int[numClasses];
        var byNoisy = new int[numClasses];
        int corrupted = 0;
        foreach (var item in items)
        {
            transition[item.CleanLabel][item.Label]++;
            if (!item.IsCorrupted) continue;
            corrupted++;
            byClean[item.CleanLabel]++;
            byNoisy[item.Label]++;
        }
        return new NoiseReport(items.Count, corrupted, byClean, byNoisy, transition);
    }

    /// <summary>Value equality over the lists (records compare lists by reference).</summary>
    public bool SameAs(NoiseReport other) =>
        Total == other.Total && Corrupted == other.Corrupted
        && CorruptedByCleanClass.SequenceEqual(other.CorruptedByCleanClass)
        && CorruptedByNoisyClass.SequenceEqual(other.CorruptedByNoisyClass)
        && Transition.Count == other.Transition.Count
        && Transition.Zip(other.Transition).All(p => p.First.SequenceEqual(p.Second));
}
