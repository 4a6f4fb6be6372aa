namespace Dspt.Data;

/// <summary>
/// Gathers the entries a reader finds, checks each against the root, and applies the common
/// rules: outside the root is an error; a missing file is an error (a warning with the count
/// under <see cref="DatasetOptions.SkipBad"/>); the same path twice in one split with the same
/// label is dropped with a warning; the same path with two labels, or in two splits, is an error;
/// a class with no training image is an error.
/// </summary>
internal sealed class SplitCollector(RootGuard guard, string source, DatasetOptions options, Action<string>? warn)
{
    const int Shown = 3;

    readonly Dictionary<string, (Split Split, int Label, string Where)> seen = new(StringComparer.Ordinal);
    readonly List<DataItem>[] lists = [[], [], [], []];
    readonly int[] duplicates = new int[4];
    readonly List<string> missing = [];

    public RootGuard Guard => guard;

    /// <param name="where">names the entry for messages, e.g. "train[12]" or "line 5"</param>
    public void Add(Split split, string baseDir, string entry, int label, string where)
    {
        switch (guard.Check(baseDir, entry, out var relative))
        {
            case EntryStatus.Outside:
                throw new InvalidInputException(
                    $"{source}: {where}: '{entry}' lies outside the dataset root {guard.Root}; every image must be inside it");
            case EntryStatus.Missing:
                missing.Add($"{where} '{entry}'");
                return;
            case EntryStatus.NotAFile:
                missing.Add($"{where} '{entry}' (not a file)");
                return;
        }
        if (seen.TryGetValue(relative, out var first))
        {
            if (first.Split != split)
                throw new InvalidInputException(
                    $"{source}: {where}: '{entry}' is also listed in {Name(first.Split)} ({first.Where}); an image must be in one split only");
            if (first.Label != label)
                throw new InvalidInputException(
                    $"{source}: {where}: '{entry}' is listed twice with labels {first.Label} ({first.Where}) and {label}");
            duplicates[(int)split]++;
            return;
        }
        seen[relative] = (split, label, where);
        lists[(int)split].Add(new DataItem(relative, label));
    }

    /// <summary>Reports what was skipped, optionally decodes every image, splits the pool, and
    /// checks that every class has training images.</summary>
    public (List<DataItem> Train, List<DataItem> Val, List<DataItem> Test) Finish(IReadOnlyList<string> classNames)
    {
        ReportSkipped(missing, "listed image(s) not found");
        for (int s = 0; s < duplicates.Length; s++)
            if (duplicates[s] > 0)
                warn?.Invoke($"{source}: skipped {duplicates[s]} duplicate entr{(duplicates[s] == 1 ? "y" : "ies")} in {Name((Split)s)}");
        if (options.VerifyImages) Verify();

        var train = lists[(int)Split.Train];
        var val = lists[(int)Split.Val];
        var test = lists[(int)Split.Test];
        var pool = lists[(int)Split.Pool];
        if (pool.Count > 0)
        {
            var (t, v, e) = RatioSplit.Apply(pool, classNames.Count, options.SplitRatios, options.SplitSeed);
            train.AddRange(t); val.AddRange(v); test.AddRange(e);
        }

        var trainCount = Count(train, classNames.Count);
        for (int c = 0; c < classNames.Count; c++)
            if (trainCount[c] == 0)
                throw new InvalidInputException(
                    $"{source}: class {c} '{classNames[c]}' has no training images" +
                    (pool.Count > 0 ? $" (after the {string.Join("/", options.SplitRatios)} split; it has too few images)" : ""));
        var noTest = Count(test, classNames.Count).Count(n => n == 0);
        if (test.Count > 0 && noTest > 0)
            warn?.Invoke($"{source}: {noTest} class(es) have no test images");
        return (train, val, test);
    }

    void Verify()
    {
        for (int s = 0; s < lists.Length; s++)
        {
            var list = lists[s];
            var ok = new bool[list.Count];
            Parallel.For(0, list.Count, i => ok[i] = ImageCheck.Decodes(Path.Combine(guard.Root, list[i].Path)));
            var bad = Enumerable.Range(0, list.Count).Where(i => !ok[i]).Select(i => $"'{list[i].Path}'").ToList();
            ReportSkipped(bad, $"unreadable image(s) in {Name((Split)s)}");
            if (bad.Count > 0) lists[s] = list.Where((_, i) => ok[i]).ToList();
        }
    }

    void ReportSkipped(List<string> bad, string what)
    {
        if (bad.Count == 0) return;
        string examples = string.Join(", ", bad.Take(Shown)) + (bad.Count > Shown ? ", ..." : "");
        if (!options.SkipBad)
            throw new InvalidInputException(
                $"{source}: {bad.Count} {what} under {guard.Root}: {examples} (pass --skip-bad to skip them with a warning)");
        warn?.Invoke($"{source}: skipped {bad.Count} {what}: {examples}");
    }

    static int[] Count(List<DataItem> items, int numClasses)
    {
        var n = new int[numClasses];
        foreach (var item in items) n[item.Label]++;
        return n;
    }

    static string Name(Split split) => split.ToString().ToLowerInvariant();
}
