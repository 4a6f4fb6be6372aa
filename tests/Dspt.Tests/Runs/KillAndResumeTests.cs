using System.Diagnostics;
using System.Globalization;
using Dspt.IO;
using Dspt.Tests.Training;
using Dspt.Training;

namespace Dspt.Tests.Runs;

/// <summary>
/// `dspt train` as a real child process (dspt.dll is copied next to the tests), killed in the
/// middle of training, resumed, interrupted with SIGINT, resumed again: the final prompt must be
/// the uninterrupted run's, byte for byte. All runs use one thread, so the CPU kernels reduce in
/// the same order in every process.
/// </summary>
public class KillAndResumeTests
{
    // Long enough that the SIGINT, sent once two more epochs are checkpointed, lands before the end even on a loaded machine.
    const int Epochs = 24;

    static Process Start(params string[] args)
    {
        var info = Cli.Process(args);
        info.RedirectStandardInput = true;
        var process = Process.Start(info)!;
        // Drain the pipes so a chatty child never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    static (int Code, string Err) Finish(Process p)
    {
        string err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "dspt train did not finish");
        return (p.ExitCode, err);
    }

    static int CompletedEpochs(string run)
    {
        string path = Path.Combine(run, "checkpoint.safetensors");
        return File.Exists(path) ? int.Parse(Safetensors.ReadHeader(path).Metadata["completed_epochs"], CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Polls the checkpoint until <paramref name="epochs"/> epochs are complete, then returns.</summary>
    static void WaitForEpochs(Process p, string run, int epochs)
    {
        var clock = Stopwatch.StartNew();
        while (CompletedEpochs(run) < epochs)
        {
            if (p.HasExited) Assert.Fail($"the run ended before epoch {epochs}: {p.StandardError.ReadToEnd()}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no checkpoint appeared");
            Thread.Sleep(5);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void KilledAndInterruptedRunsResumeToTheUninterruptedPromptBitForBit()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 12, testPerClass: 1);
        string[] Args(string run) => data.TrainArgs(run, dir["cache"], Epochs, "--threads", "1", "--n-ctx", "16", "--shots", "12", "--batch-size", "1");

        var reference = Finish(Start(Args(dir["reference"])));
        Assert.True(reference.Code == 0, reference.Err);

        // SIGKILL once two epochs are checkpointed: a crash in the middle of epoch 3 (or while writing its checkpoint).
        var crashed = Start(Args(dir["run"]));
        WaitForEpochs(crashed, dir["run"], 2);
        crashed.Kill();
        crashed.WaitForExit();
        int afterCrash = CompletedEpochs(dir["run"]);
        Assert.InRange(afterCrash, 2, Epochs - 1);
        Assert.False(File.Exists(Path.Combine(dir["run"], "final.json")));
        Assert.False(File.Exists(Path.Combine(dir["run"], "prompt.safetensors")));

        // Resume, then Ctrl-C (SIGINT) two epochs later: exit 130 with instructions.
        var resumed = Start("train", "--resume", dir["run"]);
        WaitForEpochs(resumed, dir["run"], afterCrash + 2);
        Process.Start("kill", ["-INT", resumed.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        var interrupted = Finish(resumed);
        Assert.True(interrupted.Code == 130, $"exit {interrupted.Code}: {interrupted.Err}");
        Assert.Contains($"dspt train --resume {dir["run"]}", interrupted.Err);
        Assert.InRange(CompletedEpochs(dir["run"]), afterCrash + 2, Epochs - 1);

        var completed = Finish(Start("train", "--resume", dir["run"]));
        Assert.True(completed.Code == 0, completed.Err);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir["reference"], "prompt.safetensors")), File.ReadAllBytes(Path.Combine(dir["run"], "prompt.safetensors")));
        using var a = TrainingCheckpoint.Load(Path.Combine(dir["reference"], "checkpoint.safetensors"));
        using var b = TrainingCheckpoint.Load(Path.Combine(dir["run"], "checkpoint.safetensors"));
        Assert.Equal(a.MomentumBuffer!.bytes.ToArray(), b.MomentumBuffer!.bytes.ToArray());
        Assert.Equal(a.Metrics.Select(m => m with { Seconds = 0 }), b.Metrics.Select(m => m with { Seconds = 0 }));
        Assert.Equal(Epochs, File.ReadAllLines(Path.Combine(dir["run"], "metrics.jsonl")).Length);
    }
}
