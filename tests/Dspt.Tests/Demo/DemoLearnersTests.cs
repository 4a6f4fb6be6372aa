using Dspt.Demo;
using Dspt.Sweeps;

namespace Dspt.Tests.Demo;

/// <summary>`dspt demo --learners`: every learner is part of the demo's sweep, CoCoOp with its own batch and epochs.</summary>
public class DemoLearnersTests
{
    static IReadOnlyList<PlannedRun> Runs(DemoOptions options) =>
        PlanExpansion.Expand(new DemoRunner(options).Plan(DemoModel.BundledFolder()));

    [Fact]
    public void EachLearnerTrainsWithItsOwnConfigAndCoOpKeepsItsFolders()
    {
        var options = new DemoOptions { Learners = ["coop", "cocoop", "kgcoop"], Losses = ["ce", "dspt"], Noise = ["none"], Seeds = [1] };
        var runs = Runs(options);
        Assert.Equal(6, runs.Count);
        var coop = runs.Single(r => r.Settings.Learner is null && r.MethodName == "ce");
        Assert.Equal((25, 32, 16, 0), (coop.Settings.Epochs, coop.Settings.BatchSize, coop.Settings.NCtx, coop.Settings.Views));
        Assert.EndsWith("/none/ce/seed1", coop.Folder);
        // The CoOp-only demo has the same run (id and folder).
        Assert.Contains(Runs(options with { Learners = ["coop"] }), r => r.Id == coop.Id && r.Folder == coop.Folder);
        var cocoop = runs.Single(r => r.Settings.Learner == "cocoop" && r.MethodName == "dspt");
        Assert.Equal((10, 1, 4, "a photo of a"), (cocoop.Settings.Epochs, cocoop.Settings.BatchSize, cocoop.Settings.NCtx, cocoop.Settings.CtxInit));
        Assert.EndsWith("/none/cocoop-dspt/seed1", cocoop.Folder);
        var kg = runs.Single(r => r.Settings.Learner == "kgcoop" && r.MethodName == "ce");
        Assert.Equal((25, 32, 4), (kg.Settings.Epochs, kg.Settings.BatchSize, kg.Settings.NCtx));

        // --epochs N (or --quick) is for every learner; --epochs LOSS=N for that loss's runs of every learner.
        Assert.All(Runs(options with { Epochs = 3, EpochsForAllLearners = true }), r => Assert.Equal(3, r.Settings.Epochs));
        Assert.All(Runs(options with { EpochsPerLoss = new Dictionary<string, int> { ["dspt"] = 5 } }).Where(r => r.MethodName == "dspt"),
            r => Assert.Equal(5, r.Settings.Epochs));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheDemoRunsCoCoOpAndKgCoOp()
    {
        using var dir = Repo.Temp();
        string outDir = dir["demo"];
        var output = Cli.Ok("demo", "--quick", "--learners", "cocoop", "kgcoop", "--losses", "ce", "--noise", "none", "--epochs", "1", "--threads", "1", "--out", outDir);
        Assert.Contains("| CoCoOp CE |", output);
        Assert.Contains("| KgCoOp CE |", output);
        var finals = Directory.GetFiles(Path.Combine(outDir, "runs"), "final.json", SearchOption.AllDirectories);
        Assert.Equal(2, finals.Length);
        Assert.Contains(finals, f => f.Contains("/cocoop-ce/", StringComparison.Ordinal));
        Assert.Contains("Learners: CoCoOp, KgCoOp", File.ReadAllText(Path.Combine(outDir, DemoReport.ReportFile)));
    }
}
