namespace Dspt.Data;

/// <summary>
/// NLPrompt's protocol, applied after few-shot sampling. With rng = System.Random(seed): a full
/// Fisher-Yates shuffle of the indices 0..N-1 (for i = N-1 down to 1: j = rng.Next(i + 1), swap),
/// then the first floor(R N) shuffled indices are corrupted, in that order:
/// sym: r = rng.Next(C - 1), new label = r &lt; y ? r : r + 1 (uniform over the other C - 1 classes,
/// never the true one); asym: y -> (y + 1) mod C. A pure function of (items, C, spec, seed), so
/// the noise never depends on what was cached or computed before.
/// </summary>
public static class LabelNoise
{
    /// <summary>floor(R N) in decimal arithmetic, so 0.29 x 100 gives 29, not the binary 28.999...</summary>
    public static int CorruptCount(double rate, int n) => (int)decimal.Floor((decimal)rate * n);

    public static List<NoisyItem> Apply(IReadOnlyList<DataItem> items, int numClasses, NoiseSpec spec, int seed)
    {
        spec.Validate(numClasses);
        if (spec.IsFlip)
            throw new InvalidInputException($"noise '{spec}': the PTNL flips are drawn with the shots (FewShot.Draw), not on a given list");
        var noisy = items.Select(i => new NoisyItem(i.Path, i.Label, i.Label)).ToList();
        if (spec.Type == NoiseSpec.None) return noisy;

        int n = items.Count;
        var rng = new Random(seed);
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int corrupt = CorruptCount(spec.Rate, n);
        for (int k = 0; k < corrupt; k++)
        {
            int idx = order[k];
            int y = items[idx].Label;
            int label = spec.Type == NoiseSpec.Sym
                ? rng.Next(numClasses - 1) is var r && r < y ? r : r + 1
                : (y + 1) % numClasses;
            noisy[idx] = noisy[idx] with { Label = label };
        }
        return noisy;
    }
}
