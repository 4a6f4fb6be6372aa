using Dspt.Fuzz;

namespace Dspt.Tests.Fuzz;

/// <summary>Alone, because the per-input limit is on the process's CPU time, which tests running
/// beside it would add to.</summary>
[CollectionDefinition(nameof(FuzzHarnessTests), DisableParallelization = true)]
public sealed class FuzzCollection;

/// <summary>The short CI run of the fuzz harness (docs/reliability.md has the long one): a few
/// thousand mutated inputs across every reader, none of which may end in anything but the
/// project's clear error, or take over 2 s.</summary>
[Collection(nameof(FuzzHarnessTests))]
public class FuzzHarnessTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void AShortRunOverEveryReaderFindsNothing()
    {
        using var dir = Repo.Temp();
        var results = FuzzTargets.All.Select(t =>
            FuzzDriver.Run(t, 120, seed: 7, Path.Combine(dir.Path, t.Name), Path.Combine(dir.Path, "findings"), TimeSpan.FromSeconds(2))).ToList();
        Assert.True(results.Sum(r => r.Inputs) >= 2400, $"only {results.Sum(r => r.Inputs)} inputs ran");
        var findings = results.SelectMany(r => r.Findings.Select(f => $"{r.Name} #{f.Index} {f.Kind}: {f.Message.Split('\n')[0]}")).ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings));
        // The mutations reach past the first check: some inputs of most targets still load.
        Assert.True(results.Count(r => r.Accepted > r.Inputs / 100) >= results.Count * 3 / 4,
            string.Join(", ", results.Select(r => $"{r.Name} {r.Accepted}/{r.Inputs}")));
    }

    [Fact]
    public void MutationsAreDeterministicGivenTheSeed()
    {
        byte[][] seeds = ["{\"a\": [1, 2, 3], \"b\": \"x\"}"u8.ToArray(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]];
        var r1 = new Random(5);
        var r2 = new Random(5);
        for (int i = 0; i < 200; i++)
            Assert.Equal(Mutator.Mutate(r1, seeds), Mutator.Mutate(r2, seeds));
        var r3 = new Random(6);
        Assert.Contains(Enumerable.Range(0, 20), _ => !Mutator.Mutate(r3, seeds).SequenceEqual(Mutator.Mutate(new Random(5), seeds)));
    }

    [Fact]
    public void AnExceptionOtherThanTheClearErrorIsAFindingWithItsInputSaved()
    {
        using var dir = Repo.Temp();
        var target = new FuzzTarget("broken", "throws on an empty input", _ => ["abc"u8.ToArray()],
            (_, input) =>
            {
                if (input.Length == 0) throw new IndexOutOfRangeException("boom");
                if (input.Length > 3) throw new InvalidInputException("too long");
            });
        var stats = FuzzDriver.Run(target, 400, 1, dir["work"], dir["findings"], TimeSpan.FromSeconds(2));
        Assert.True(stats.Exceptions > 0);
        var first = stats.Findings.First(f => f.Kind == "exception");
        Assert.Contains("IndexOutOfRangeException: boom", first.Message);
        Assert.Empty(File.ReadAllBytes(first.InputFile!));
        Assert.Equal(stats.Inputs, stats.Accepted + stats.Rejected + stats.Exceptions);
    }
}
