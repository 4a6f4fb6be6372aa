namespace Dspt.Data;

/// <summary>Which classes a run uses (the base-to-new protocol of CoCoOp).</summary>
public enum ClassSelection { All, Base, New }

/// <summary>
/// CoOp's <c>subsample_classes</c> (datasets/oxford_pets.py, used by every CoOp-family dataset):
/// the labels present in the training split, sorted; the first ceil(n / 2) are the base
/// classes, the rest the new ones. Every split keeps only the items of the selected classes,
/// in their order, relabelled 0.. in sorted order; class names follow. A label that occurs in
/// val or test but not in train belongs to neither half, so its items are dropped from both
/// (as in CoOp). <see cref="ClassSelection.All"/> leaves the dataset untouched.
/// </summary>
public static class ClassSubset
{
    public static ClassSelection Parse(string text) => text.ToLowerInvariant() switch
    {
        "all" => ClassSelection.All,
        "base" => ClassSelection.Base,
        "new" => ClassSelection.New,
        _ => throw new InvalidInputException($"--subsample '{text}': expected one of all, base, new"),
    };

    public static string Name(ClassSelection selection) => selection.ToString().ToLowerInvariant();

    /// <summary>The original labels of the selected classes, in their new label order (identity for All).</summary>
    public static IReadOnlyList<int> Labels(Dataset dataset, ClassSelection selection)
    {
        if (selection == ClassSelection.All) return [.. Enumerable.Range(0, dataset.NumClasses)];
        var labels = dataset.Train.Select(i => i.Label).Distinct().Order().ToArray();
        int m = (labels.Length + 1) / 2;
        var chosen = selection == ClassSelection.Base ? labels[..m] : labels[m..];
        if (chosen.Length == 0)
            throw new InvalidInputException($"{dataset.Root}: --subsample {Name(selection)}: the training split has {labels.Length} class(es), so there are no {Name(selection)} classes");
        return chosen;
    }

    /// <summary>The dataset restricted to the selected classes, relabelled from 0.</summary>
    public static Dataset Select(Dataset dataset, ClassSelection selection)
    {
        if (selection == ClassSelection.All) return dataset;
        var labels = Labels(dataset, selection);
        var relabel = labels.Select((old, i) => (old, i)).ToDictionary(x => x.old, x => x.i);
        IReadOnlyList<DataItem> Filter(IReadOnlyList<DataItem> items) =>
            [.. items.Where(i => relabel.ContainsKey(i.Label)).Select(i => i with { Label = relabel[i.Label] })];
        return dataset with
        {
            ClassNames = [.. labels.Select(l => dataset.ClassNames[l])],
            Train = Filter(dataset.Train),
            Val = Filter(dataset.Val),
            Test = Filter(dataset.Test),
        };
    }
}
