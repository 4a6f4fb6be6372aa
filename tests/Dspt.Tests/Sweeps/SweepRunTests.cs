using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dspt.IO;
using Dspt.Runs;
using Dspt.Sweeps;

namespace Dspt.Tests.Sweeps;

/// <summary>
/// Sweeps of real processes on the built-in world: a killed sweep restarted does every run once,
/// two shards started together split the plan with nothing done twice and leave one valid cache
/// entry per key, and the report's numbers are the run files'.
/// </summary>
public class SweepRunTests
{
    const int Epochs = 2;

    static IReadOnlyList<PlannedRun> Runs(string plan) => PlanExpansion.Expand(PlanReader.Read(plan));

    static Process Start(params string[] args)
    {
        var p = Process.Start(Cli.Process(args))!;
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Every planned run is finished once: final.json with its id, metrics for epochs 1..E, each once.</summary>
    static void AssertAllDoneOnce(string outDir, IReadOnlyList<PlannedRun> runs)
    {
        foreach (var r in runs)
        {
            var folder = new RunFolder(Path.Combine(outDir, r.Folder));
            Assert.True(folder.IsComplete, r.Folder);
            Assert.Equal(r.Id, folder.ReadFinal().RunId);
            var lines = File.ReadAllLines(folder.Metrics).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(Enumerable.Range(1, Epochs), lines.Select(l => l["epoch"]!.GetValue<int>()));
            // Learning curves: val accuracy every epoch; under noise the memorised share; the last epoch's test accuracy is final.json's.
            Assert.All(lines, l => Assert.InRange(l["val_accuracy"]!.GetValue<double>(), 0, 100));
            Assert.Equal(r.Settings.Noise != "none", lines[0]["noisy_as_given"] is not null);
            Assert.Equal(folder.ReadFinal().Accuracy, lines[^1]["test_accuracy"]!.GetValue<double>());
        }
        Assert.Equal(runs.Count, Directory.GetFiles(outDir, "final.json", SearchOption.AllDirectories).Length);
    }

    static List<string> Ids(IEnumerable<string> lines, string verb) =>
        [.. lines.Where(l => l.Contains($"] {verb} ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf($"] {verb} ", StringComparison.Ordinal) + verb.Length + 3)..].Split(' ')[0])];

    [Fact]
    [Trait("Category", "Slow")]
    public void AKilledSweepRestartedDoesEveryRunExactlyOnce()
    {
        using var dir = Repo.Temp();
        string plan = SweepPlans.Write(dir);
        var runs = Runs(plan);
        string[] args = ["sweep", plan, "--out", dir["out"], "--cache-dir", dir["cache"], "--threads", "1"];

        var first = Start(args);
        var firstLines = new List<string>();
        while (first.StandardOutput.ReadLine() is { } line)
        {
            firstLines.Add(line);
            if (line.StartsWith("[3/8] starting", StringComparison.Ordinal)) break;
        }
        first.Kill();
        first.WaitForExit();
        var finishedFirst = Ids(firstLines, "finished");
        Assert.Equal(2, finishedFirst.Count);
        var stamps = finishedFirst.ToDictionary(id => id, id => File.GetLastWriteTimeUtc(Path.Combine(dir["out"], runs.First(r => r.Id == id).Folder, "final.json")));

        var dry = Cli.Ok("sweep", plan, "--out", dir["out"], "--dry-run");
        Assert.Contains("2 done", dry);

        var second = Start(args);
        var secondLines = second.StandardOutput.ReadToEnd().Split('\n').ToList();
        second.WaitForExit();
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(finishedFirst.Order(), Ids(secondLines, "done already").Order());
        var redone = Ids(secondLines, "starting").Concat(Ids(secondLines, "resuming")).ToList();
        Assert.Equal(runs.Select(r => r.Id).Except(finishedFirst).Order(), redone.Order());
        foreach (var (id, stamp) in stamps)
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(dir["out"], runs.First(r => r.Id == id).Folder, "final.json")));
        AssertAllDoneOnce(dir["out"], runs);
        Assert.Contains("8 already done", Cli.Ok("sweep", plan, "--out", dir["out"], "--cache-dir", dir["cache"]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TwoShardsStartedTogetherCoverThePlanAndShareOneCacheEntryPerKey()
    {
        using var dir = Repo.Temp();
        string plan = SweepPlans.Write(dir);
        var runs = Runs(plan);
        var shards = Enumerable.Range(0, 2)
            .Select(i => Start("sweep", plan, "--out", dir["out"], "--cache-dir", dir["cache"], "--threads", "1", "--shard", $"{i}/2")).ToList();
        var outputs = shards.Select(p => p.StandardOutput.ReadToEndAsync()).ToList();
        foreach (var p in shards) p.WaitForExit();
        Assert.All(shards, p => Assert.Equal(0, p.ExitCode));
        var started = outputs.Select(o => Ids(o.Result.Split('\n'), "starting")).ToList();
        Assert.Equal(4, started[0].Count);
        Assert.Empty(started[0].Intersect(started[1]));
        Assert.Equal(runs.Select(r => r.Id).Order(), started.SelectMany(s => s).Order());
        AssertAllDoneOnce(dir["out"], runs);
        // Each run's manifest records the sweep command that made it, with the shard it ran in.
        foreach (var r in runs)
        {
            var invocation = new Dspt.Runs.RunFolder(Path.Combine(dir["out"], r.Folder)).ReadManifest().Invocation!;
            Assert.Equal("sweep", (string)invocation["command"]!);
            Assert.Equal(plan, (string)invocation["arguments"]!["plan"]!);
            string shard = (string)invocation["options"]!["shard"]!;
            Assert.Equal(started[0].Contains(r.Id) ? "0/2" : "1/2", shard);
        }

        // Both processes encoded the world's splits (train, val for the learning curves, test) into the same three keys: one complete file each, no leftovers.
        var files = Directory.GetFiles(dir["cache"], "*", SearchOption.AllDirectories);
        Assert.Equal(3, files.Length);
        foreach (var f in files)
        {
            Assert.EndsWith(".safetensors", f);
            var tensors = Safetensors.Load(f, out var meta);
            Assert.Equal(meta["split"] switch { "train" => 20 * 32, "val" => 20 * 4, _ => 20 * 10 }, tensors["features"].shape[0]);
            foreach (var t in tensors.Values) t.Dispose();
        }
        // A third process finds every run done and encodes nothing.
        Assert.Contains("0 started, 0 resumed, 8 already done, 0 diverged; 0 images encoded", Cli.Ok("sweep", plan, "--out", dir["out"], "--cache-dir", dir["cache"]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ReportNumbersComeFromTheRunFilesAndMissingSeedsShow()
    {
        using var dir = Repo.Temp();
        string plan = SweepPlans.Write(dir);
        Cli.Ok("sweep", plan, "--out", dir["out"], "--no-cache");
        var runs = Runs(plan);
        string Report(params string[] extra) => Cli.Ok(["report", dir["out"], "--out", dir["report"], "--no-bold", .. extra]);
        var before = Report();
        Assert.Contains("| method | 0% | 50% |", before);
        Assert.Contains("| Zero-shot CLIP |", before);

        // Set the two seeds of CE at 50 % noise to 10 and 30: the cell is 20.0 ± 10.0 (population σ), 20.0 ± 14.1 with --sample-std.
        var ceNoisy = runs.Where(r => r.MethodName == "ce" && r.Settings.Noise != "none").ToList();
        for (int i = 0; i < 2; i++)
        {
            string file = Path.Combine(dir["out"], ceNoisy[i].Folder, "final.json");
            var node = JsonNode.Parse(File.ReadAllText(file))!;
            node["accuracy"] = i == 0 ? 10.0 : 30.0;
            File.WriteAllText(file, node.ToJsonString());
        }
        string CeRow(string table) => table.Split('\n').First(l => l.StartsWith("| CE |", StringComparison.Ordinal));
        Assert.EndsWith("| 20.0 ± 10.0 |", CeRow(Report()));
        Assert.EndsWith("| 20.0 ± 14.1 |", CeRow(Report("--sample-std")));
        Assert.EndsWith($"| 20.0 ± {(1.96 * 10 / Math.Sqrt(2)).ToString("F1", CultureInfo.InvariantCulture)} |", CeRow(Report("--ci95")));

        // A seed without final.json is missing from its cell, which says so, and the run is listed as unfinished.
        File.Delete(Path.Combine(dir["out"], ceNoisy[1].Folder, "final.json"));
        var after = Report();
        Assert.EndsWith("| 10.0 (n=1) |", CeRow(after));
        Assert.Contains(ceNoisy[1].Folder, File.ReadAllText(Path.Combine(dir["report"], "report.md")));
        var csv = File.ReadAllLines(Path.Combine(dir["report"], "results.csv"));
        Assert.Equal(runs.Count - 1 + 1, csv.Length);
        Assert.Contains(csv, l => l.StartsWith("shape-", StringComparison.Ordinal) && l.Contains(",CE,ce,1,10,", StringComparison.Ordinal));
        var latex = File.ReadAllText(Path.Combine(dir["report"], "results.tex"));
        Assert.Contains("\\toprule", latex);
        Assert.Contains("CE & ", latex);
        Assert.Contains("10.0 (n=1) \\\\", latex);
        Assert.True(File.Exists(Path.Combine(dir["report"], $"accuracy-vs-noise-{runs[0].DatasetName}.png")));
    }
}
