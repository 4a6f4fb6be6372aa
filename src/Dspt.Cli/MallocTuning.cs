using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dspt.Cli;

/// <summary>
/// Settings that native libraries read only at process start, applied by re-executing the CLI
/// once on Linux:
/// - glibc malloc tunables that keep freed memory: LibTorch frees and re-allocates large buffers
///   every step, and with the defaults those pages go back to the kernel and fault in again
///   (measured: 5-10x slower steps, ../shared/notes/benchmarking-here.md);
/// - OMP_WAIT_POLICY=PASSIVE: with libgomp's spinning default, two threads on a 2-core machine
///   with any other load made a training step up to 10x slower (docs/benchmarks.md).
/// The parent forwards SIGINT/SIGTERM to the child, and the child dies with the parent, so the
/// pair behaves as one process. Opt out with DSPT_NO_REEXEC=1 (or by setting GLIBC_TUNABLES).
/// </summary>
public static class MallocTuning
{
    public const string Tunables = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=1000000000000";
    const string ParentVariable = "DSPT_PARENT_PID";

    public static int? RunTunedChildIfNeeded(string[] args)
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (Environment.GetEnvironmentVariable(ParentVariable) is string parent)
        {
            // Processes this child starts (benchmark children) are not re-executed children themselves.
            Environment.SetEnvironmentVariable(ParentVariable, null);
            DieWithParent(parent);
            return null;
        }
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null
            || Environment.GetEnvironmentVariable("DSPT_NO_REEXEC") == "1"
            || Environment.ProcessPath is not string host)
            return null;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet dspt.dll` the host is dotnet and the first argument the assembly path.
        string[] command = Environment.GetCommandLineArgs();
        if (!Path.GetFileNameWithoutExtension(host).Equals("dspt", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(command[0]);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GLIBC_TUNABLES"] = Tunables;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        start.Environment[ParentVariable] = Environment.ProcessId.ToString();
        Process? child;
        try { child = Process.Start(start); }
        catch (System.ComponentModel.Win32Exception) { return null; }
        if (child is null) return null;
        using (child)
        {
            // Ctrl-C at a terminal reaches the whole process group, child included; a SIGINT sent
            // to this process alone (stdin not a terminal: scripts, tests) and SIGTERM are passed on.
            void Forward(PosixSignalContext context)
            {
                context.Cancel = true;
                if (context.Signal != PosixSignal.SIGINT || Console.IsInputRedirected) Kill(child.Id, Number(context.Signal));
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward);
            using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Forward);
            child.WaitForExit();
            return child.ExitCode;
        }
    }

    static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };

    /// <summary>PR_SET_PDEATHSIG: the kernel sends the child SIGKILL when the parent dies, even by SIGKILL.</summary>
    static void DieWithParent(string parent)
    {
        const int PR_SET_PDEATHSIG = 1, SIGKILL = 9;
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        // The parent may have died before the call above took effect.
        if (int.TryParse(parent, out int pid) && getppid() != pid) Environment.Exit(137);
    }

    static void Kill(int pid, int signal) => kill(pid, signal);

    [DllImport("libc", SetLastError = true)]
    static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc")]
    static extern int getppid();

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);
}
