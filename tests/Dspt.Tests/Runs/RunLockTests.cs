using System.Diagnostics;
using System.Text.Json;
using Dspt.Runs;
using Dspt.Tests.Training;

namespace Dspt.Tests.Runs;

public class RunLockTests
{
    static void WriteOwner(string folder, int pid, DateTime started) =>
        File.WriteAllText(Path.Combine(folder, RunLock.OwnerFile),
            JsonSerializer.Serialize(new RunLock.Owner(pid, Environment.MachineName, started, started), RunManifest.Json));

    static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void A_held_folder_is_refused_naming_folder_and_owner_and_free_again_after_release()
    {
        using var dir = Repo.Temp();
        var messages = new List<string>();
        using (var held = RunLock.Acquire(dir.Path, messages.Add))
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, RunLock.OwnerFile)));
            var e = Assert.Throws<InvalidInputException>(() => RunLock.Acquire(dir.Path));
            Assert.Contains(dir.Path, e.Message);
            Assert.Contains($"pid {Environment.ProcessId} on {Environment.MachineName}", e.Message);
            Assert.Null(RunLock.TryAcquire(dir.Path, out var owner));
            Assert.Equal(Environment.ProcessId, owner!.Pid);
        }
        Assert.False(File.Exists(Path.Combine(dir.Path, RunLock.OwnerFile)));
        using (RunLock.Acquire(dir.Path)) { }
        Assert.Empty(messages);
    }

    [Fact]
    public void A_stale_lock_of_a_dead_process_is_recovered_and_leftover_temporaries_removed()
    {
        using var dir = Repo.Temp();
        WriteOwner(dir.Path, DeadPid(), DateTime.UtcNow.AddMinutes(-5));
        File.WriteAllText(dir[".checkpoint.safetensors.4242.0123456789abcdef.tmp"], "half");
        File.WriteAllText(dir["keep.txt"], "not a temporary");
        var messages = new List<string>();
        using (RunLock.Acquire(dir.Path, messages.Add))
        {
            Assert.Contains(messages, m => m.Contains("recovered a stale lock") && m.Contains(dir.Path));
            Assert.Contains(messages, m => m.Contains("removed 1 temporary file"));
            Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
            Assert.True(File.Exists(dir["keep.txt"]));
        }
    }

    /// <summary>Where flock is unavailable the owner record decides: a live owner on this host keeps the folder, a dead one does not.</summary>
    [Fact]
    public void Without_flock_the_owner_record_decides()
    {
        using var dir = Repo.Temp();
        using var self = Process.GetCurrentProcess();
        WriteOwner(dir.Path, Environment.ProcessId, self.StartTime.ToUniversalTime());
        Assert.Null(RunLock.TryAcquire(dir.Path, out var owner, null, useKernelLock: false));
        Assert.Equal(Environment.ProcessId, owner!.Pid);

        // The same pid with another start time is a reused pid: stale.
        WriteOwner(dir.Path, Environment.ProcessId, self.StartTime.ToUniversalTime().AddHours(-3));
        var messages = new List<string>();
        using (var held = RunLock.TryAcquire(dir.Path, out _, messages.Add, useKernelLock: false))
            Assert.NotNull(held);
        Assert.Contains(messages, m => m.Contains("stale"));

        WriteOwner(dir.Path, DeadPid(), DateTime.UtcNow);
        using (var held = RunLock.TryAcquire(dir.Path, out _, null, useKernelLock: false))
            Assert.NotNull(held);
    }

    /// <summary>
    /// Two real `dspt train` processes started at once into one folder with different seeds: one
    /// runs to the end, the other is refused with exit 2 (by the lock while the first runs, or
    /// because the folder then holds a run), and the folder holds exactly the winner's run.
    /// </summary>
    [Fact, Trait("Category", "Slow")]
    public void Two_train_processes_into_one_folder_one_runs_the_other_is_refused()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        var run = dir["run"];
        var processes = new[] { "5", "6" }.Select(seed =>
        {
            var p = Process.Start(Cli.Process(data.TrainArgs(run, dir["cache"], epochs: 30, "--seed", seed)))!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            return (Seed: int.Parse(seed), Process: p, Out: stdout, Err: stderr);
        }).ToList();
        var results = processes.Select(p =>
        {
            Assert.True(p.Process.WaitForExit(TimeSpan.FromMinutes(5)), "dspt train did not finish");
            return (p.Seed, Code: p.Process.ExitCode, Err: p.Err.Result);
        }).ToList();
        var winner = Assert.Single(results, r => r.Code == 0);
        var loser = Assert.Single(results, r => r.Code != 0);
        Assert.True(loser.Code == 2, loser.Err);
        Assert.True(loser.Err.Contains("in use by another dspt process") || loser.Err.Contains("already holds a run"), loser.Err);
        Assert.Contains(run, loser.Err);

        var folder = new RunFolder(run);
        var manifest = folder.ReadManifest();
        Assert.Equal(winner.Seed, manifest.Spec.Seed);
        Assert.Equal(winner.Seed, folder.ReadFinal().Seed);
        Assert.Equal(30, File.ReadAllLines(folder.Metrics).Length);
        using var prompt = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "prompt.json")));
        Assert.Contains(manifest.Fingerprint, prompt.RootElement.ToString());
        Assert.False(File.Exists(Path.Combine(run, RunLock.OwnerFile)));
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
    }

    /// <summary>
    /// The library pipeline holds the lock for the life of a run: while a run made by
    /// RunPipeline.Create is alive, neither a resume nor another create may write its folder;
    /// once it is disposed the folder is free and run.owner is gone.
    /// </summary>
    [Fact, Trait("Category", "Slow")]
    public void A_pipeline_run_holds_its_folder_until_disposed()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 2, testPerClass: 1);
        var spec = new RunSpec(TinyDataset.Model, data.Root, null, null, TinyDataset.Vocab, Shots: 2, Noise: "none", Loss: "ce", Seed: 1,
            new Dspt.Training.TrainConfig(Epochs: 1, BatchSize: 2), new Dspt.Prompting.PromptLayout(2, null, false, Dspt.Prompting.ClassTokenPosition.End),
            Device: "cpu", Threads: null, CacheDirectory: null);
        var run = dir["run"];
        using (var first = RunPipeline.Create(spec, run))
        {
            Assert.True(File.Exists(Path.Combine(run, RunLock.OwnerFile)));
            var resumed = Assert.Throws<InvalidInputException>(() => RunPipeline.Resume(run));
            Assert.Contains("in use by another dspt process", resumed.Message);
            // The folder has no epoch yet, so only the lock stops a second run replacing it.
            var created = Assert.Throws<InvalidInputException>(() => RunPipeline.Create(spec with { Seed = 2 }, run));
            Assert.Contains("in use by another dspt process", created.Message);
            Assert.Equal(1, new RunFolder(run).ReadManifest().Spec.Seed);
        }
        Assert.False(File.Exists(Path.Combine(run, RunLock.OwnerFile)));
        using (var again = RunPipeline.Resume(run))
            Assert.Equal(1, again.Manifest.Spec.Seed);
    }

    /// <summary>A stale owner record and a half-written temporary in a folder being resumed: recovered and cleaned.</summary>
    [Fact]
    public void Resume_recovers_a_stale_lock_and_removes_leftover_temporaries()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        var run = dir["run"];
        var first = Cli.Run(data.TrainArgs(run, dir["cache"], epochs: 2));
        Assert.True(first.Code == 0, first.Err);
        File.Delete(Path.Combine(run, "final.json"));   // as if killed during evaluation
        WriteOwner(run, DeadPid(), DateTime.UtcNow.AddMinutes(-1));
        File.WriteAllText(Path.Combine(run, $".final.json.{DeadPid()}.00112233445566778899aabbccddeeff.tmp"), "{");
        var resumed = Cli.Run("train", "--resume", run);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("recovered a stale lock", resumed.Err);
        Assert.Contains("removed 1 temporary file", resumed.Err);
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
        Assert.True(File.Exists(Path.Combine(run, "final.json")));
    }

    /// <summary>
    /// A run that stops before its first epoch (here Ctrl-C while the image features are being
    /// encoded) leaves a folder that the same command can use again; a folder whose run completed
    /// an epoch is still refused.
    /// </summary>
    [Fact, Trait("Category", "Slow")]
    public void A_run_that_stopped_before_its_first_epoch_can_be_rerun_into_its_folder()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        var run = dir["run"];
        // 16 views of 32 images: encoding takes long enough to be interrupted.
        var args = data.TrainArgs(run, dir["cache"], epochs: 2, "--views", "16");
        var info = Cli.Process(args);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new System.Text.StringBuilder();
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null)
        {
            stderr.AppendLine(line);
            if (line.StartsWith("image features:", StringComparison.Ordinal)) break;
        }
        Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        stderr.Append(process.StandardError.ReadToEnd());
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {stderr}");
        Assert.True(File.Exists(Path.Combine(run, "manifest.json")));
        Assert.False(File.Exists(Path.Combine(run, "checkpoint.safetensors")), "the interrupt came after the first epoch; the test needs it earlier");

        var rerun = Cli.Run(data.TrainArgs(run, dir["cache"], epochs: 2, "--views", "16", "--seed", "3"));
        Assert.True(rerun.Code == 0, rerun.Err);
        Assert.Contains("replacing a run that stopped before its first epoch", rerun.Err);
        Assert.Equal(3, new RunFolder(run).ReadManifest().Spec.Seed);

        var again = Cli.Run(data.TrainArgs(run, dir["cache"], epochs: 2, "--views", "16"));
        Assert.Equal(2, again.Code);
        Assert.Contains("already holds a run", again.Err);
    }
}
