using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.Runs;
using Dspt.Sweeps;

namespace Dspt.Tests.Sweeps;

/// <summary>
/// A sweep with a learner other than CoOp and the base and new classes, run for real on the
/// built-in world: the runs train the named learner, a base run's new-class evaluation matches
/// the saved prompt applied to the new classes and the zero-shot accuracy of the new-class runs,
/// and the report names the learners and shows base, new and HM.
/// </summary>
public class SweepLearnerRunTests
{
    const string Plan = """
        name: b2n
        datasets: ["builtin:shape?test=10"]
        shots: 2
        classes: [base, new]
        learners: [coop, cocoop]
        methods: [ce]
        train: {epochs: 1, views: 0}
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public void BaseRunsAreAlsoTestedOnTheNewClassesAndTheReportShowsLearnersAndHM()
    {
        using var dir = Repo.Temp();
        string plan = SweepPlans.Write(dir, Plan);
        var runs = PlanExpansion.Expand(PlanReader.Read(plan));
        Assert.Equal(4, runs.Count);
        Cli.Ok("sweep", plan, "--out", dir["out"], "--cache-dir", dir["cache"], "--threads", "1");

        FinalResult Final(string learner, string classes) =>
            new RunFolder(Path.Combine(dir["out"], runs.Single(r => (r.Settings.Learner ?? "coop") == learner && r.Settings.Classes == classes).Folder)).ReadFinal();
        foreach (var learner in new[] { "coop", "cocoop" })
        {
            var onBase = Final(learner, "base");
            var onNew = Final(learner, "new");
            Assert.Equal(learner == "coop" ? null : learner, onBase.Learner);
            Assert.Equal(("base", "new"), (onBase.Classes, onNew.Classes));
            Assert.Equal(100, onBase.TestSamples);   // 10 of the 20 classes, 10 test images each
            Assert.Null(onNew.NewAccuracy);
            // Zero-shot CLIP on the new classes: the base run's second evaluation and the new run's own test split agree.
            Assert.Equal(onNew.ZeroShotAccuracy, onBase.ZeroShotNewAccuracy);
            Assert.Equal(2 * onBase.Accuracy * onBase.NewAccuracy!.Value / (onBase.Accuracy + onBase.NewAccuracy.Value), onBase.HarmonicMean!.Value, 1e-9);
        }

        // The cocoop base run's prompt, reopened as dspt eval opens it and applied to the new classes.
        var cocoop = Path.Combine(dir["out"], runs.Single(r => r.Settings.Learner == "cocoop" && r.Settings.Classes == "base").Folder);
        var dataset = Dspt.Builtin.BuiltinDataset.Parse("builtin:shape?test=10");
        var newData = ClassSubset.Select(DatasetReader.Read(dataset.Address), ClassSelection.New);
        using (var saved = SavedPrompt.Open(cocoop, "builtin", classNames: newData.ClassNames))
        using (var source = new WorldFeatureSource(saved.Model, saved.ModelSha256, dataset, dir["cache"]))
        using (var features = source.Encode([.. newData.Test.Select(i => Path.Combine(newData.Root, i.Path))]))
        {
            Assert.Equal("cocoop", saved.Info.Learner);
            var (_, learned) = PromptEvaluation.Run(saved.Model, saved.Tokenizer, saved.Learner, newData.ClassNames, "p", newData.Template, features,
                [.. newData.Test.Select(i => (long)i.Label)]);
            Assert.Equal(learned.Accuracy, Final("cocoop", "base").NewAccuracy);
        }
        Assert.Contains("| prompt (cocoop, ce) |", File.ReadAllText(Path.Combine(cocoop, NewClassEvaluation.MarkdownFile)));

        var table = Cli.Ok("report", dir["out"], "--out", dir["report"], "--no-plots");
        Assert.Contains("| CoCoOp CE |", table);
        Assert.Contains("| CoOp CE |", table);
        Assert.Contains("base classes", table);
        var report = File.ReadAllText(Path.Combine(dir["report"], "report.md"));
        var b = Final("cocoop", "base");
        Assert.Contains("## Base-to-new", report);
        Assert.Contains(FormattableString.Invariant($"| 0% | CoCoOp CE | {b.Accuracy:F1} | {b.NewAccuracy:F1} | {b.HarmonicMean:F1} |"), report);
        var csv = File.ReadAllLines(Path.Combine(dir["report"], "results.csv"));
        Assert.EndsWith(",learner,classes,new_accuracy,harmonic_mean,folder", csv[0]);
        Assert.Contains(csv, l => l.Contains(",cocoop,base,", StringComparison.Ordinal));

        // A second sweep finds every run done.
        var again = Cli.Run("sweep", plan, "--out", dir["out"], "--cache-dir", dir["cache"], "--threads", "1");
        Assert.Equal(0, again.Code);
        Assert.Contains("0 started, 0 resumed, 4 already done", again.Out);
    }
}
