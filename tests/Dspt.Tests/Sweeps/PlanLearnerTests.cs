using Dspt.Sweeps;

namespace Dspt.Tests.Sweeps;

/// <summary>
/// The plan keys <c>learners</c> and <c>classes</c>: the learner's own defaults, the precedence of
/// plan settings over them, folders and ids of non-CoOp and base/new runs, and CoOp plans that
/// keep the ids and folders they had before the keys existed (so their sweeps resume).
/// </summary>
public class PlanLearnerTests
{
    const string Pin = """
        name: pin
        datasets: ["builtin:shape?test=10"]
        models: [builtin]
        shots: [16, 2]
        noise: [none, sym:0.5]
        methods:
          - ce
          - name: dspt
            loss: dspt
            lr: 0.01
        seeds: [1, 2]
        train:
          epochs: 2
          views: 0
        """;

    static IReadOnlyList<PlannedRun> Expand(string text) => PlanExpansion.Expand(PlanReader.Parse(text, "/plans/plan.yaml"));

    [Fact]
    public void CoOpPlansKeepTheIdsAndFoldersTheyHadBeforeLearnersAndClasses()
    {
        // Printed by `dspt sweep pin.yaml --dry-run` at main 6d02717, before plans had learners or classes.
        (string Id, string Folder)[] before =
        [
            ("02b4ea1161de", "shape-5aefed/builtin/16shot/none/ce/seed1"), ("5b5893640655", "shape-5aefed/builtin/16shot/none/ce/seed2"),
            ("428242156bdd", "shape-5aefed/builtin/16shot/none/dspt/seed1"), ("b5a54f47f0ef", "shape-5aefed/builtin/16shot/none/dspt/seed2"),
            ("dc223488a06a", "shape-5aefed/builtin/16shot/sym50/ce/seed1"), ("ddc3e424171d", "shape-5aefed/builtin/16shot/sym50/ce/seed2"),
            ("9eb9f0f1bba7", "shape-5aefed/builtin/16shot/sym50/dspt/seed1"), ("4af1344e9a71", "shape-5aefed/builtin/16shot/sym50/dspt/seed2"),
            ("f9b5c1e3ebb1", "shape-5aefed/builtin/2shot/none/ce/seed1"), ("71138f8e409e", "shape-5aefed/builtin/2shot/none/ce/seed2"),
            ("de5447b819d0", "shape-5aefed/builtin/2shot/none/dspt/seed1"), ("c889a850e7b5", "shape-5aefed/builtin/2shot/none/dspt/seed2"),
            ("2ff17980d385", "shape-5aefed/builtin/2shot/sym50/ce/seed1"), ("f1af659133a2", "shape-5aefed/builtin/2shot/sym50/ce/seed2"),
            ("88f61a317674", "shape-5aefed/builtin/2shot/sym50/dspt/seed1"), ("0dc9e13636d7", "shape-5aefed/builtin/2shot/sym50/dspt/seed2"),
        ];
        foreach (var plan in new[] { Pin, Pin + "\nlearners: coop\nclasses: all\n", Pin + "\nlearner: [coop]\n" })
        {
            var runs = Expand(plan);
            Assert.Equal(before, runs.Select(r => (r.Id, r.Folder)));
            Assert.Equal("3d50c096d97babd2", PlanExpansion.PlanHash(runs));
        }
    }

    [Fact]
    public void EachLearnerGetsItsOwnDefaultsUnlessThePlanSetsThem()
    {
        var runs = Expand(Pin.Replace("  epochs: 2\n", "") + "\nlearners: [coop, cocoop, kgcoop, {name: 'kgcoop:4', epochs: 7, n_ctx: 2}]\n");
        var coop = runs.First(r => r.Settings.Learner is null && r.Settings.Shots == 16 && r.MethodName == "ce");
        Assert.Equal((200, 0.002, 32, 16, (string?)null), (coop.Settings.Epochs, coop.Settings.Lr, coop.Settings.BatchSize, coop.Settings.NCtx, coop.Settings.CtxInit));
        var cocoop = runs.First(r => r.Settings.Learner == "cocoop" && r.MethodName == "ce");
        Assert.Equal((10, 0.002, 1, 4, "a photo of a"), (cocoop.Settings.Epochs, cocoop.Settings.Lr, cocoop.Settings.BatchSize, cocoop.Settings.NCtx, cocoop.Settings.CtxInit));
        Assert.Equal("shape-5aefed/builtin/16shot/none/cocoop-ce/seed1", cocoop.Folder);
        // The method's own lr wins over the learner's.
        Assert.Equal(0.01, runs.First(r => r.Settings.Learner == "cocoop" && r.MethodName == "dspt").Settings.Lr);
        var kg = runs.First(r => r.Settings.Learner == "kgcoop" && r.Settings.Shots == 2);
        Assert.Equal((100, 32, 4, "a photo of a"), (kg.Settings.Epochs, kg.Settings.BatchSize, kg.Settings.NCtx, kg.Settings.CtxInit));
        // A learner entry replaces the learner's defaults; n_ctx without ctx_init means random vectors, as dspt train --n-ctx.
        var kg4 = runs.First(r => r.Settings.Learner == "kgcoop:4");
        Assert.Equal((7, 2, (string?)null), (kg4.Settings.Epochs, kg4.Settings.NCtx, kg4.Settings.CtxInit));
        Assert.StartsWith("shape-5aefed/builtin/16shot/none/kgcoop-4-ce/", kg4.Folder);
        // The plan's train section beats the learner's defaults.
        var trained = Expand(Pin + "\nlearners: cocoop\n").First();
        Assert.Equal((2, 1), (trained.Settings.Epochs, trained.Settings.BatchSize));
        Assert.Equal(4 * 16, runs.Count);
        Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void ClassesAreAnAxisWithTheirOwnFoldersAndFilters()
    {
        var runs = Expand(Pin + "\nclasses: [all, base, new]\nlearners: [coop, cocoop]\n");
        Assert.Equal(3 * 2 * 16, runs.Count);
        var plain = Expand(Pin).Select(r => r.Id).ToHashSet();
        Assert.Equal(16, runs.Count(r => plain.Contains(r.Id)));   // coop on all classes: the runs of the plan without the keys
        Assert.Contains(runs, r => r.Folder == "shape-5aefed/builtin/16shot-base/sym50/cocoop-dspt/seed2" && r.Settings.Classes == "base");
        Assert.Contains(runs, r => r.Folder == "shape-5aefed/builtin/2shot-new/none/ce/seed1" && r.Settings.Classes == "new" && r.Settings.Learner is null);
        Assert.Equal(16, PlanExpansion.Filter(runs, ["classes=base", "learner=cocoop"]).Count);
        Assert.Equal(48, PlanExpansion.Filter(runs, ["learner=coop"]).Count);
    }

    [Fact]
    public void SweepSpecsCarryTheLearnerAndClasses()
    {
        using var dir = Repo.Temp();
        string plan = SweepPlans.Write(dir, SweepPlans.Tiny + "\nlearners: cocoop\nclasses: base\n");
        var output = Cli.Ok("sweep", plan, "--out", dir["out"], "--dry-run", "--only", "learner=cocoop", "--only", "classes=base");
        Assert.Contains("shot-base/none/cocoop-ce/seed1", output);
        Assert.Contains("0 done, 0 partial, 8 new", output);
    }

    [Theory]
    [InlineData("learners: [coop, vit]", "key 'learners[1]' (line 3): expected a prompt learner")]
    [InlineData("learners: [{name: cocoop, views: 2}]", "key 'learners[0].views' (line 3): expected one of name, epochs")]
    [InlineData("learners: [{epochs: 2}]", "key 'learners[0].name' (line 3): expected the learner's name")]
    [InlineData("learners: [cocoop, CoCoOp]", "key 'learners': 'cocoop' appears twice")]
    [InlineData("learners: coop\nlearner: coop", "key 'learner' (line 4): expected either 'learners' or 'learner'")]
    [InlineData("classes: [base, old]", "key 'classes[1]' (line 3): expected all, base or new")]
    [InlineData("classes: [base, base]", "key 'classes': 'base' appears twice")]
    public void LearnerAndClassesErrorsNameTheKey(string body, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => PlanReader.Parse("datasets: [builtin:shape]\nmethods: [ce]\n" + body, "/p/plan.yaml"));
        Assert.Contains("/p/plan.yaml: " + expected, e.Message);
    }
}
