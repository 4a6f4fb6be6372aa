using System.Diagnostics;

namespace Dspt.Tests.Sweeps;

/// <summary>
/// A real Slurm: the `--emit slurm` script of a small plan on the built-in world, submitted as a
/// job array of 4 tasks to a single-node cluster the test starts, gives the same report as the
/// plan run unsharded in one process.
/// </summary>
public class SlurmSweepTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void AJobArrayGivesTheSameReportAsOneProcess()
    {
        using var dir = Repo.Temp();
        string plan = SweepPlans.Write(dir);
        string dspt = $"{Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet"} {Path.Combine(AppContext.BaseDirectory, "dspt.dll")}";
        var emitted = Cli.Ok("sweep", plan, "--out", dir["sharded"], "--emit", "slurm", "--tasks", "4", "--cpus-per-task", "1", "--mem", "2G",
            "--time", "00:20:00", "--cache-dir", dir["cache"], "--dspt", dspt);
        string script = Path.Combine(dir["sharded"], "sweep.sbatch");
        Assert.Contains($"{script}: 4 array task(s) for 8 run(s)", emitted);
        var text = File.ReadAllText(script);
        Assert.Contains("#SBATCH --array=0-3", text);
        Assert.Contains("#SBATCH --cpus-per-task=1", text);

        using (var cluster = new SlurmCluster())
        {
            var (code, output) = cluster.SubmitAndWait(script, dir.Path);
            Assert.True(code == 0, $"sbatch --wait exited {code}: {output}\n" + string.Join("\n", Directory.GetFiles(Path.Combine(dir["sharded"], "logs")).Select(File.ReadAllText)));
        }
        var logs = Directory.GetFiles(Path.Combine(dir["sharded"], "logs"), "*.log");
        Assert.Equal(4, logs.Length);
        Assert.All(logs, l => Assert.Contains(" started, ", File.ReadAllText(l)));
        Assert.Equal(8, logs.Sum(l => File.ReadAllLines(l).Count(x => x.Contains("] finished ", StringComparison.Ordinal))));

        using (var whole = Process.Start(Cli.Process("sweep", plan, "--out", dir["whole"], "--threads", "1", "--no-cache"))!)
        {
            whole.StandardError.ReadToEndAsync();
            whole.StandardOutput.ReadToEnd();
            whole.WaitForExit();
            Assert.Equal(0, whole.ExitCode);
        }
        string sharded = Cli.Ok("report", dir["sharded"], "--out", dir["report-sharded"], "--no-plots");
        string unsharded = Cli.Ok("report", dir["whole"], "--out", dir["report-whole"], "--no-plots");
        Assert.Equal(unsharded, sharded);
        Assert.Equal(5, sharded.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // Same numbers run by run (the folder column differs, everything before it must not).
        static IEnumerable<string> Rows(string report) => File.ReadAllLines(Path.Combine(report, "results.csv")).Select(l => l[..l.LastIndexOf(',')]);
        Assert.Equal(Rows(dir["report-whole"]), Rows(dir["report-sharded"]));
    }
}
