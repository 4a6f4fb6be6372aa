namespace Dspt.Data;

/// <summary>
/// Splits unsplit images into train/val/test per class, the way CoOp's
/// DTD.read_and_split_data does (per class: shuffle, n_train = round(n p_train),
/// n_val = round(n p_val), the rest test; Python's round is half-to-even). Deterministic:
/// classes in label order, each class's paths sorted ordinally (so the listing or manifest
/// order does not matter), then a Fisher-Yates shuffle driven by one System.Random(seed).
/// </summary>
internal static class RatioSplit
{
    public static void Validate(IReadOnlyList<double> ratios)
    {
        if (ratios.Count != 3 || ratios.Any(r => double.IsNaN(r) || r < 0 || r > 1) || Math.Abs(ratios.Sum() - 1) > 1e-9)
            throw new InvalidInputException(
                $"split ratios [{string.Join(", ", ratios)}]: expected three fractions train,val,test in [0, 1] that sum to 1 (e.g. 0.5,0.2,0.3)");
    }

    public static (List<DataItem> Train, List<DataItem> Val, List<DataItem> Test) Apply(
        IEnumerable<DataItem> items, int numClasses, IReadOnlyList<double> ratios, int seed)
    {
        Validate(ratios);
        var byClass = new List<DataItem>[numClasses];
        for (int c = 0; c < numClasses; c++) byClass[c] = [];
        foreach (var item in items) byClass[item.Label].Add(item);

        var rng = new Random(seed);
        List<DataItem> train = [], val = [], test = [];
        foreach (var group in byClass)
        {
            var a = group.OrderBy(i => i.Path, StringComparer.Ordinal).ToArray();
            for (int i = a.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (a[i], a[j]) = (a[j], a[i]);
            }
            int nTrain = (int)Math.Round(a.Length * ratios[0], MidpointRounding.ToEven);
            int nVal = Math.Min((int)Math.Round(a.Length * ratios[1], MidpointRounding.ToEven), a.Length - nTrain);
            train.AddRange(a[..nTrain]);
            val.AddRange(a[nTrain..(nTrain + nVal)]);
            test.AddRange(a[(nTrain + nVal)..]);
        }
        return (train, val, test);
    }
}
