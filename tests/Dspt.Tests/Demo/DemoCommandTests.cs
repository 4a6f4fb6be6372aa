using System.Globalization;
using System.Text.Json;
using Dspt.Demo;
using SkiaSharp;

namespace Dspt.Tests.Demo;

/// <summary>`dspt demo --quick` end to end on the bundled model: the report's structure, and that its numbers are the runs'.</summary>
public class DemoCommandTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void QuickDemoWritesAReportWhoseNumbersComeFromTheRuns()
    {
        using var dir = Repo.Temp();
        string outDir = dir["demo"];
        var (code, output, log) = Cli.Run("demo", "--quick", "--out", outDir);
        Assert.True(code == 0, log);
        Assert.Contains($"output folder: {Path.GetFullPath(outDir)}", output);
        // Results on stdout, progress on stderr.
        Assert.Contains("| DSPT |", output);
        Assert.Contains("run 8/8", log);
        Assert.DoesNotContain("run 1/8", output);
        Assert.DoesNotContain("loading ", output);

        foreach (var file in new[] { DemoReport.ReportFile, DemoReport.CsvFile, DemoReport.TableFile, DemoReport.ManifestFile })
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        foreach (var png in new[] { DemoReport.NoisePlotFile, DemoReport.GradientPlotFile })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(outDir, png));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width >= 640, png);
        }

        // results.csv: one row per run, 4 losses x 2 noise settings x 1 seed.
        var rows = File.ReadAllLines(Path.Combine(outDir, DemoReport.CsvFile)).Skip(1)
            .Select(l => l.Split(',')).ToList();
        Assert.Equal(8, rows.Count);
        Assert.Equal(["CE", "DSPT", "GCE", "MAE"], rows.Select(r => r[0]).Distinct().Order().ToArray());
        Assert.Equal(["none", "sym"], rows.Select(r => r[1]).Distinct().Order().ToArray());

        // The manifest holds the same runs and the zero-shot/probe numbers.
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, DemoReport.ManifestFile)));
        JsonKeys.AssertSnakeCase(Path.Combine(outDir, DemoReport.ManifestFile), "epochs_per_loss", "learning_rates");
        var runs = manifest.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(rows.Count, runs.Count);
        double zeroShot = manifest.RootElement.GetProperty("zero_shot").GetDouble();
        double probe = manifest.RootElement.GetProperty("linear_probe").GetDouble();
        Assert.InRange(zeroShot, 0, 100);

        string report = File.ReadAllText(Path.Combine(outDir, DemoReport.ReportFile));
        foreach (var heading in new[] { "## Is the prior real and imperfect?", "## Test accuracy (%), mean ± std over seeds", "## What the results show", "## Per-sample gradients" })
            Assert.Contains(heading, report);
        Assert.Contains($"Zero-shot reference: {zeroShot.ToString("F1", CultureInfo.InvariantCulture)} %.", report);
        Assert.Contains($"| {probe.ToString("F1", CultureInfo.InvariantCulture)} % | ≥ zero-shot |", report);
        // Every run's accuracy appears in the table cell of its method and noise setting (one seed: the value itself).
        foreach (var r in rows)
        {
            string cell = double.Parse(r[4], CultureInfo.InvariantCulture).ToString("F1", CultureInfo.InvariantCulture);
            string column = r[1] == "none" ? "0%" : "50%";
            var tableLine = report.Split('\n').First(l => l.StartsWith($"| {r[0]} |", StringComparison.Ordinal));
            var header = report.Split('\n').First(l => l.StartsWith("| method |", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToList();
            Assert.Equal(cell, tableLine.Split('|').Select(c => c.Trim()).ToList()[header.IndexOf(column)]);
        }
        Assert.Contains("(clean labels): best:", report);

        // The demo is a sweep: one run folder per run, and `dspt report` on them gives the demo's table.
        string runFolders = Path.Combine(outDir, Dspt.Cli.Commands.DemoCommand.RunsFolder);
        Assert.Equal(rows.Count, Directory.GetFiles(runFolders, "final.json", SearchOption.AllDirectories).Length);
        var swept = Cli.Ok("report", runFolders, "--sample-std", "--no-bold", "--no-zero-shot", "--no-plots", "--out", dir["report"]);
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, DemoReport.TableFile)), swept);
        Assert.Contains("Mislabeled samples pull with a mean gradient norm of", report);
    }

    /// <summary>--world-seed draws another instance of the task: recorded in the manifest, and other test images give another zero-shot score.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void AnotherWorldSeedIsRecordedAndDrawsOtherImages()
    {
        using var dir = Repo.Temp();
        double ZeroShot(string seed)
        {
            string outDir = dir[$"demo-{seed}"];
            Cli.Ok("demo", "--quick", "--losses", "ce", "--noise", "none", "--world-seed", seed, "--out", outDir);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, DemoReport.ManifestFile)));
            Assert.Equal(long.Parse(seed, CultureInfo.InvariantCulture), manifest.RootElement.GetProperty("options").GetProperty("world_seed").GetInt64());
            return manifest.RootElement.GetProperty("zero_shot").GetDouble();
        }
        Assert.NotEqual(ZeroShot("1"), ZeroShot("2"));
    }

    [Fact]
    public void BadDemoOptionsExitWithTwo()
    {
        var (code, _, err) = Cli.Run("demo", "--losses", "hinge", "--out", Path.GetTempPath());
        Assert.Equal(2, code);
        Assert.Contains("unknown loss 'hinge'", err);
        Assert.Contains("nlprompt", err);
        (code, _, err) = Cli.Run("demo", "--lr", "dspt=fast");
        Assert.Equal(2, code);
        Assert.Contains("--lr dspt=fast", err);
        (code, _, err) = Cli.Run("demo", "--shifted", "1.5");
        Assert.Equal(2, code);
        Assert.Contains("--shifted", err);
    }
}
