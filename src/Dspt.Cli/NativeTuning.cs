using System.Runtime.InteropServices;

namespace Dspt.Cli;

/// <summary>
/// Settings LibTorch's native libraries need, applied in this process at start-up on Linux,
/// before LibTorch loads:
/// - glibc malloc keeps freed memory (mallopt M_MMAP_MAX 0 and a 2 GiB trim threshold, the
///   run-time form of GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=...):
///   LibTorch frees and re-allocates large buffers every step, and by default those pages go
///   back to the kernel and fault in again (measured: 5-10x slower steps,
///   ../shared/notes/benchmarking-here.md);
/// - OMP_WAIT_POLICY=PASSIVE in the native environment, which libgomp reads when it loads: with
///   its spinning default, two threads on a 2-core machine with any other load made a training
///   step up to 10x slower (docs/benchmarks.md).
/// A user's own GLIBC_TUNABLES or OMP_WAIT_POLICY wins; DSPT_NATIVE_DEFAULTS=0 turns both off
/// (to measure what they do).
/// </summary>
public sealed record NativeTuning(string Malloc, string OmpWaitPolicy)
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;

    public static NativeTuning Apply()
    {
        string? omp = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        string? tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        if (!OperatingSystem.IsLinux())
            return new("platform default", omp ?? "unset");
        if (Environment.GetEnvironmentVariable("DSPT_NATIVE_DEFAULTS") == "0")
            return new(tunables is null ? "glibc default (DSPT_NATIVE_DEFAULTS=0)" : $"GLIBC_TUNABLES={tunables}", omp ?? "unset (DSPT_NATIVE_DEFAULTS=0)");

        string malloc = tunables is not null ? $"GLIBC_TUNABLES={tunables}"
            : mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1 ? "keeps freed memory (mmap_max 0, trim_threshold 2 GiB)"
            : "glibc default (mallopt refused)";
        if (omp is null)
        {
            // .NET keeps its own copy of the environment: setenv reaches libgomp, the managed copy reaches child processes.
            setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
            Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");
            omp = "PASSIVE";
        }
        return new(malloc, omp);
    }

    public override string ToString() => $"malloc {Malloc}, OMP_WAIT_POLICY {OmpWaitPolicy}";

    /// <summary>What is in effect; null when the CLI runs in-process (tests), where nothing was applied.</summary>
    public static string Describe(NativeTuning? tuning) => tuning?.ToString() ?? "native defaults not applied (in-process)";

    [DllImport("libc")]
    static extern int mallopt(int param, int value);

    [DllImport("libc")]
    static extern int setenv(string name, string value, int overwrite);
}
