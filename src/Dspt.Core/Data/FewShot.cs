namespace Dspt.Data;

/// <summary>
/// Few-shot sampling and label noise, deterministic from one seed. Train: per class (label
/// order) K items without replacement; val: min(K, 4) per class; test: the whole test split;
/// K &lt;= 0 keeps every training item. A class with fewer than K items keeps all of them with a
/// warning (CoOp's Dassl would repeat items instead; method.md says all), or is an error with
/// <c>strict</c>. The draw from a class's list (in split order) is a partial Fisher-Yates: for
/// i = 0..K-1: j = rng.Next(i, n), swap(i, j); take the first K. Train, val and noise each use
/// their own System.Random from <see cref="SeedStreams.DrawSeed"/>(seed, "train" / "val" / "noise").
/// </summary>
public static class FewShot
{
    public const int MaxValShots = 4;

    public static FewShotSplit Draw(Dataset d, int shots, NoiseSpec noise, int seed, Action<string>? warn = null, bool strict = false)
    {
        int numClasses = d.NumClasses;
        noise.Validate(numClasses, noise.IsFlip ? shots : null);
        List<NoisyItem> train;
        if (noise.IsFlip)
            train = FlipNoise.Draw(d.Train, numClasses, shots, noise, SeedStreams.DrawSeed(seed, "train"), strict, warn);
        else
        {
            var sampled = Sample(d.Train, numClasses, shots, SeedStreams.DrawSeed(seed, "train"), "train", strict, warn);
            train = LabelNoise.Apply(sampled, numClasses, noise, SeedStreams.DrawSeed(seed, "noise"));
        }
        var val = Sample(d.Val, numClasses, shots <= 0 ? 0 : Math.Min(shots, MaxValShots), SeedStreams.DrawSeed(seed, "val"), "val", false, null);
        return new FewShotSplit(d.Name, d.Root, d.ClassNames, d.Template, shots, seed, noise, train, val, d.Test,
            NoiseReport.From(train, numClasses));
    }

    /// <summary>Up to <paramref name="shots"/> items of each class (all when shots &lt;= 0).</summary>
    public static List<DataItem> Sample(IReadOnlyList<DataItem> items, int numClasses, int shots, int seed, string what,
        bool strict = false, Action<string>? warn = null)
    {
        if (shots <= 0) return items.ToList();
        var rng = new Random(seed);
        var result = new List<DataItem>(Math.Min(items.Count, numClasses * shots));
        int shortClasses = 0;
        string? example = null;
        var byClass = GroupByClass(items, numClasses);
        for (int c = 0; c < numClasses; c++)
        {
            var taken = Take(byClass[c], shots, rng);
            if (taken.Count < shots && byClass[c].Count > 0)
            {
                shortClasses++;
                example ??= $"class {c} has {byClass[c].Count}";
            }
            result.AddRange(taken);
        }
        if (shortClasses > 0)
        {
            string message = $"{what}: K = {shots} is more than {shortClasses} class(es) have (e.g. {example}); they keep all their images";
            if (strict) throw new InvalidInputException(message + " (strict sampling refuses this)");
            warn?.Invoke(message);
        }
        return result;
    }

    internal static List<DataItem>[] GroupByClass(IReadOnlyList<DataItem> items, int numClasses)
    {
        var byClass = new List<DataItem>[numClasses];
        for (int c = 0; c < numClasses; c++) byClass[c] = [];
        foreach (var item in items)
        {
            if ((uint)item.Label >= (uint)numClasses)
                throw new InvalidInputException($"'{item.Path}': label {item.Label} is out of range for {numClasses} classes");
            byClass[item.Label].Add(item);
        }
        return byClass;
    }

    /// <summary>k items of <paramref name="pool"/> without replacement (all, in order, if k &gt;= its size).</summary>
    internal static List<DataItem> Take(List<DataItem> pool, int k, Random rng)
    {
        if (k >= pool.Count) return [.. pool];
        var a = pool.ToArray();
        for (int i = 0; i < k; i++)
        {
            int j = rng.Next(i, a.Length);
            (a[i], a[j]) = (a[j], a[i]);
        }
        return [.. a.AsSpan(0, k)];
    }
}
