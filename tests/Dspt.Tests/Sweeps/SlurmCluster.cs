using System.Diagnostics;

namespace Dspt.Tests.Sweeps;

/// <summary>
/// A single-node Slurm (slurmctld + slurmd, MUNGE authentication) started for a test in a fresh
/// folder, as ../shared/notes/slurm-here.md describes; installs slurm-wlm and munge with apt-get
/// when they are missing (as root). Stops the daemons it started, by pid.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    readonly TempDir dir = Repo.Temp();
    readonly List<int> started = [];

    public string Config => dir["slurm.conf"];

    public SlurmCluster()
    {
        if (!OnPath("slurmctld") || !OnPath("munged")) Install();
        string host = Run("hostname", "-s").Trim();
        foreach (var sub in new[] { "state", "spool", "log" }) Directory.CreateDirectory(dir[sub]);
        File.WriteAllText(Config, $"""
            ClusterName=dspttest
            SlurmctldHost={host}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            StateSaveLocation={dir["state"]}
            SlurmdSpoolDir={dir["spool"]}
            SlurmctldPidFile={dir["slurmctld.pid"]}
            SlurmdPidFile={dir["slurmd.pid"]}
            SlurmctldLogFile={dir["log"]}/slurmctld.log
            SlurmdLogFile={dir["log"]}/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SchedulerType=sched/backfill
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            ReturnToService=2
            MpiDefault=none
            JobAcctGatherType=jobacct_gather/none
            NodeName={host} CPUs={Environment.ProcessorCount} RealMemory=20000 State=UNKNOWN
            PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        if (!File.Exists("/etc/munge/munge.key"))
        {
            File.WriteAllBytes("/etc/munge/munge.key", System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
            Run("chown", "munge:munge", "/etc/munge/munge.key");
            Run("chmod", "400", "/etc/munge/munge.key");
        }
        Directory.CreateDirectory("/run/munge");
        Run("chown", "munge:munge", "/run/munge");
        if (Exit("pgrep", "-x", "munged") != 0)
        {
            Run("su", "-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged");
            if (File.Exists("/run/munge/munged.pid")) started.Add(int.Parse(File.ReadAllText("/run/munge/munged.pid").Trim()));
        }
        Run("slurmctld", "-f", Config);
        Run("slurmd", "-f", Config);
        foreach (var pid in new[] { "slurmctld.pid", "slurmd.pid" })
        {
            var until = DateTime.UtcNow.AddSeconds(20);
            while (!File.Exists(dir[pid]) && DateTime.UtcNow < until) Thread.Sleep(200);
            started.Add(int.Parse(File.ReadAllText(dir[pid]).Trim()));
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Run("sinfo", "-h", "-o", "%T").Contains("idle"))
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"slurm did not come up: {Run("sinfo")}; logs in {dir["log"]}");
            Thread.Sleep(500);
        }
    }

    /// <summary>sbatch --wait: returns when every array task has ended (exit code non-zero if one failed).</summary>
    public (int Code, string Output) SubmitAndWait(string script, string workingDirectory) => Capture("sbatch", workingDirectory, Config, "--wait", script);

    static bool OnPath(string tool) => Exit("sh", "-c", $"command -v {tool} || test -x /usr/sbin/{tool}") == 0;

    static void Install()
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("this test needs Slurm (slurm-wlm, munge): install them or run the tests as root so the test can");
        var (code, output) = Capture("sh", null, null, "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge");
        if (code != 0) throw new InvalidOperationException($"apt-get install slurm-wlm munge failed: {output}");
    }

    string Run(string file, params string[] args)
    {
        var (code, output) = Capture(file, null, File.Exists(Config) ? Config : null, args);
        return code == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {output}");
    }

    static int Exit(string file, params string[] args) => Capture(file, null, null, args).Code;

    static (int Code, string Output) Capture(string file, string? cwd, string? slurmConf, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (slurmConf is not null) info.Environment["SLURM_CONF"] = slurmConf;
        if (cwd is not null) info.WorkingDirectory = cwd;
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    public void Dispose()
    {
        foreach (var pid in Enumerable.Reverse(started))
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(); p.WaitForExit(10_000); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        dir.Dispose();
    }
}
