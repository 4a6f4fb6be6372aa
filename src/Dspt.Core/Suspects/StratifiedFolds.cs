namespace Dspt.Suspects;

/// <summary>
/// Seeded folds stratified by given label: within each class (in label order) the samples are
/// shuffled by their own stream <see cref="SeedStreams.Named"/>(seed, "folds", class) and dealt
/// to folds round-robin, the deal continuing from class to class, so every fold holds
/// floor or ceil of n_k / F of each class and the folds' sizes differ by at most one.
/// </summary>
public static class StratifiedFolds
{
    public static int[] Assign(IReadOnlyList<int> labels, int folds, int seed)
    {
        if (folds < 2) throw new InvalidInputException($"--folds {folds}: expected at least 2 (each fold is scored by a prompt trained on the others)");
        if (labels.Count < folds) throw new InvalidInputException($"--folds {folds}: more folds than the {labels.Count} training items");
        var fold = new int[labels.Count];
        int next = 0;
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            var order = SeedStreams.Permutation(members.Length, SeedStreams.Named(seed, "folds", group.Key));
            foreach (int o in order)
            {
                fold[members[o]] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }
}
