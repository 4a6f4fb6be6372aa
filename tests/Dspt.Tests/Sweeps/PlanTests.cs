using Dspt.Sweeps;

namespace Dspt.Tests.Sweeps;

/// <summary>Plan files: deterministic expansion, ids that depend on settings only, readable folders, errors that name the key.</summary>
public class PlanTests
{
    const string Plan = """
        name: grid
        datasets:
          - builtin:shape
          - path: data/pets
            name: pets
            template: "a photo of a {}, a type of pet."
        models: [builtin]
        shots: [16, 4]
        noise: [none, sym:0.125, asym:50%, symflip:2]
        methods:
          - ce
          - name: gce-fast
            loss: gce:0.7
            lr: 0.01
            epochs: 10
        seeds: 1-3
        train:
          views: 0
          epochs: 25
        """;

    // The same plan with keys, list entries and axes in another order (and JSON for one mapping).
    const string Reordered = """
        seeds: [3, 1, 2]
        train: {"epochs": 25, "views": 0}
        methods:
          - lr: 0.01
            epochs: 10
            loss: gce:0.7
            name: gce-fast
          - ce
        noise: [asym:0.5, symflip:2, none, sym:12.5%]
        shots: [4, 16]
        models: [builtin]
        datasets:
          - template: "a photo of a {}, a type of pet."
            name: pets
            path: ./data/pets
          - builtin:shape
        name: grid
        """;

    static IReadOnlyList<PlannedRun> Expand(string text) => PlanExpansion.Expand(PlanReader.Parse(text, "/plans/plan.yaml"));

    [Fact]
    public void ExpansionIsDeterministicAndIdsSurviveReordering()
    {
        var a = Expand(Plan);
        var b = Expand(Plan);
        Assert.Equal(2 * 2 * 4 * 2 * 3, a.Count);
        Assert.Equal(a.Select(r => r.Id), b.Select(r => r.Id));
        Assert.Equal(a.Count, a.Select(r => r.Id).Distinct().Count());

        var reordered = Expand(Reordered);
        Assert.NotEqual(a.Select(r => r.Id), reordered.Select(r => r.Id));          // another order ...
        Assert.Equal(a.Select(r => r.Id).Order(), reordered.Select(r => r.Id).Order());   // ... of the same runs
        var byId = reordered.ToDictionary(r => r.Id);
        foreach (var r in a) Assert.Equal(r.Folder, byId[r.Id].Folder);
        Assert.Equal(PlanExpansion.PlanHash(a), PlanExpansion.PlanHash(reordered));

        // Plan order: datasets, models, shots, noise, methods, seeds.
        Assert.Equal("shape/builtin/16shot/none/ce/seed1", a[0].Folder);
        Assert.Equal("shape/builtin/16shot/none/ce/seed2", a[1].Folder);
        Assert.Equal("shape/builtin/16shot/none/gce-fast/seed1", a[3].Folder);
        Assert.Contains(a, r => r.Folder == "pets/builtin/4shot/sym12.5/ce/seed3");
        Assert.Contains(a, r => r.Folder == "shape/builtin/16shot/asym50/gce-fast/seed2");
        Assert.Contains(a, r => r.Folder == "shape/builtin/4shot/symflip2/ce/seed1");
    }

    [Fact]
    public void SettingsAreResolvedAndAnyChangeChangesTheId()
    {
        var runs = Expand(Plan);
        var gce = runs.First(r => r.MethodName == "gce-fast");
        Assert.Equal((10, 0.01, 0, "gce"), (gce.Settings.Epochs, gce.Settings.Lr, gce.Settings.Views, gce.Settings.Loss));
        var ce = runs.First(r => r.MethodName == "ce");
        Assert.Equal((25, 0.002), (ce.Settings.Epochs, ce.Settings.Lr));
        Assert.Equal("data/pets", runs.First(r => r.DatasetName == "pets").Settings.Dataset);

        var other = Expand(Plan.Replace("epochs: 25", "epochs: 26"));
        Assert.Empty(other.Where(r => r.MethodName == "ce").Select(r => r.Id).Intersect(runs.Select(r => r.Id)));
        // The gce method sets its own epochs, so its runs keep their ids.
        Assert.Equal(runs.Where(r => r.MethodName == "gce-fast").Select(r => r.Id), other.Where(r => r.MethodName == "gce-fast").Select(r => r.Id));
        // Display names are not settings: renaming a dataset keeps the ids, changes the folders.
        var renamed = Expand(Plan.Replace("name: pets", "name: oxford_pets"));
        Assert.Equal(runs.Select(r => r.Id), renamed.Select(r => r.Id));
        Assert.StartsWith("oxford_pets/", renamed.First(r => r.Settings.Dataset == "data/pets").Folder);
    }

    [Fact]
    public void OnlyFiltersByEveryAxis()
    {
        var runs = Expand(Plan);
        Assert.Equal(2 * 4 * 3, PlanExpansion.Filter(runs, ["dataset=shape", "method=gce-fast"]).Count);
        Assert.Equal(24, PlanExpansion.Filter(runs, ["noise=sym:12.5%,asym50"]).Count(r => r.DatasetName == "pets"));
        Assert.Equal(8, PlanExpansion.Filter(runs, ["seed=2", "shots=16", "dataset=pets"]).Count);
        Assert.Single(PlanExpansion.Filter(runs, [$"id={runs[5].Id[..6]}"]));
        var e = Assert.Throws<InvalidInputException>(() => PlanExpansion.Filter(runs, ["colour=red"]));
        Assert.Contains("unknown key 'colour'", e.Message);
    }

    [Theory]
    [InlineData("methods:\n  - name: x\n    loss: ce\n    lr: fast", "key 'methods[0].lr' (line 5): expected a number > 0, got 'fast'")]
    [InlineData("methods: [ce, hinge]", "key 'methods[1]'")]
    [InlineData("methods: [ce]\nnoise: [sym:1.5]", "key 'noise[0]' (line 3): expected a noise setting")]
    [InlineData("methods: [ce]\nshots: [0]", "key 'shots[0]' (line 3): expected an integer >= 1, got '0'")]
    [InlineData("methods: [ce]\nseed: [1]", "key 'seed' (line 3): expected one of name, datasets")]
    [InlineData("methods: [ce]\ntrain: {select: best}", "key 'train.select' (line 3): expected last (CoOp's choice; best-val is not implemented yet), got 'best'")]
    [InlineData("methods: [ce, ce]", "key 'methods': 'ce' appears twice")]
    public void PlanErrorsNameTheKeyAndWhatWasExpected(string body, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => PlanReader.Parse("datasets: [builtin:shape]\n" + body, "/p/plan.yaml"));
        Assert.Contains("/p/plan.yaml: " + expected, e.Message);
    }

    [Fact]
    public void MissingKeysAndBadDocumentsAreNamed()
    {
        Assert.Contains("key 'methods'", Assert.Throws<InvalidInputException>(() => PlanReader.Parse("datasets: [builtin:shape]", "p.yaml")).Message);
        Assert.Contains("key 'datasets'", Assert.Throws<InvalidInputException>(() => PlanReader.Parse("methods: [ce]", "p.yaml")).Message);
        Assert.Contains("not valid YAML or JSON", Assert.Throws<InvalidInputException>(() => PlanReader.Parse("{\"methods\": [ce", "p.yaml")).Message);
        Assert.Contains("built-in task 'shapes' does not exist", Assert.Throws<InvalidInputException>(() => PlanReader.Parse("datasets: [builtin:shapes]\nmethods: [ce]", "p.yaml")).Message);
    }

    [Fact]
    public void JsonPlansAreAccepted()
    {
        var json = """{"name": "grid", "datasets": ["builtin:shape"], "methods": ["ce", {"name": "dspt", "loss": "dspt", "lr": 0.01}], "noise": ["sym:0.25"], "seeds": [1, 2], "train": {"epochs": 25, "views": 0}}""";
        var runs = Expand(json);
        var yaml = Expand("name: grid\ndatasets: [builtin:shape]\nmethods: [ce, {name: dspt, loss: dspt, lr: 0.01}]\nnoise: sym:25%\nseeds: 1-2\ntrain: {epochs: 25, views: 0}");
        Assert.Equal(4, runs.Count);
        Assert.Equal(runs.Select(r => r.Id), yaml.Select(r => r.Id));
    }

    [Fact]
    public void DryRunListsIdsStatesAndFolders()
    {
        using var dir = Repo.Temp();
        string plan = SweepPlans.Write(dir);
        var output = Cli.Ok("sweep", plan, "--out", dir["out"], "--dry-run", "--only", "method=ce");
        var runs = PlanExpansion.Filter(PlanExpansion.Expand(PlanReader.Read(plan)), ["method=ce"]);
        Assert.Equal(4, runs.Count);
        foreach (var r in runs) Assert.Contains($"{r.Id}  new      {r.Folder}", output);
        Assert.Contains("0 done, 0 partial, 4 new", output);
        Assert.DoesNotContain("/dspt/", output);
    }
}
