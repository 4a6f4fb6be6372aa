using System.Diagnostics;

namespace Dspt.Cli;

/// <summary>
/// LibTorch frees and re-allocates large activation buffers every step. With glibc's default
/// malloc settings those pages go back to the kernel and are faulted in again (measured here:
/// 5-10x slower steps, ../shared/notes/benchmarking-here.md). glibc reads its tunables only at
/// process start, so on Linux the CLI re-executes itself once with them set, unless the user
/// chose their own GLIBC_TUNABLES or set DSPT_NO_REEXEC=1.
/// </summary>
public static class MallocTuning
{
    public const string Tunables = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=1000000000000";

    public static int? RunTunedChildIfNeeded(string[] args)
    {
        if (!OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null
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
        try
        {
            using var child = Process.Start(start);
            if (child is null) return null;
            // Ctrl-C reaches the child through the terminal's process group; the parent just waits.
            Console.CancelKeyPress += (_, e) => e.Cancel = true;
            child.WaitForExit();
            return child.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
