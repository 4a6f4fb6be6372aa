using Xunit.Abstractions;
namespace Dspt.Tests.Packaging;

/// <summary>`dotnet tool install` from the local feed gives a `dspt` that runs the quick demo.</summary>
[Collection(PackageFeedCollection.Name)]
[Trait("Category", "Slow")]
public class ToolPackageTests(PackageFeed feed, ITestOutputHelper log)
{
    [Fact]
    public void InstalledToolRunsTheQuickDemo()
    {
        using var tmp = Repo.Temp();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Dotnet.Run(tmp.Path, TimeSpan.FromMinutes(5), "tool", "install", "--tool-path", tmp["tools"],
            "--configfile", feed.NuGetConfig, "--add-source", feed.Feed, "Dspt.Cli", "--version", feed.Version);
        log.WriteLine($"tool install {clock.Elapsed.TotalSeconds:F0} s");
        string dspt = Path.Combine(tmp["tools"], OperatingSystem.IsWindows() ? "dspt.exe" : "dspt");

        Assert.Contains($"dspt {feed.Version} ", Dotnet.RunProgram(dspt, tmp.Path, TimeSpan.FromMinutes(1), "version"));
        clock.Restart();
        string output = Dotnet.RunProgram(dspt, tmp.Path, TimeSpan.FromMinutes(5), "demo", "--quick", "--out", tmp["demo"]);
        log.WriteLine($"dspt demo --quick {clock.Elapsed.TotalSeconds:F0} s");
        Assert.Contains("| DSPT |", output);
        foreach (var file in new[] { "report.md", "results.csv", "manifest.json", "accuracy-vs-noise.png", "gradients.png" })
            Assert.True(File.Exists(Path.Combine(tmp["demo"], file)), file);
    }
}
