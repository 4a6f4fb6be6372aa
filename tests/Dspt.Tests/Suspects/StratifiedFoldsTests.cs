using Dspt.Suspects;

namespace Dspt.Tests.Suspects;

public class StratifiedFoldsTests
{
    static readonly int[] Labels = [.. Enumerable.Range(0, 53).Select(i => i % 4 == 3 ? 3 : i % 3)];

    [Fact]
    public void Every_fold_holds_floor_or_ceil_of_each_class_and_sizes_differ_by_at_most_one()
    {
        var folds = StratifiedFolds.Assign(Labels, 5, seed: 7);
        Assert.Equal(Labels.Length, folds.Length);
        Assert.All(folds, f => Assert.InRange(f, 0, 4));
        foreach (var c in Labels.Distinct())
        {
            int n = Labels.Count(l => l == c);
            for (int f = 0; f < 5; f++)
                Assert.InRange(Enumerable.Range(0, Labels.Length).Count(i => Labels[i] == c && folds[i] == f), n / 5, (n + 4) / 5);
        }
        var sizes = Enumerable.Range(0, 5).Select(f => folds.Count(x => x == f)).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
    }

    [Fact]
    public void Folds_are_deterministic_per_seed_and_differ_between_seeds()
    {
        Assert.Equal(StratifiedFolds.Assign(Labels, 5, 1), StratifiedFolds.Assign(Labels, 5, 1));
        Assert.NotEqual(StratifiedFolds.Assign(Labels, 5, 1), StratifiedFolds.Assign(Labels, 5, 2));
    }

    [Theory]
    [InlineData(1, "expected at least 2")]
    [InlineData(60, "more folds than the 53 training items")]
    public void Bad_fold_counts_are_rejected(int folds, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => StratifiedFolds.Assign(Labels, folds, 1));
        Assert.Contains(message, e.Message);
    }
}
