using System.Diagnostics;
using static TorchSharp.torch;

namespace Dspt.Bench;

/// <summary>Timing helpers: medians and minimums of repeated runs, the machine's matmul rate, process memory.</summary>
public static class Measure
{
    public sealed record Timing(double MedianMs, double MinMs, int Runs);

    public static Timing Time(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) action();
        var ms = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            ms.Add(sw.Elapsed.TotalMilliseconds);
        }
        return Summarize(ms);
    }

    public static Timing Summarize(IReadOnlyList<double> ms)
    {
        var sorted = ms.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new Timing(median, sorted[0], sorted.Length);
    }

    /// <summary>float32 GFLOP/s of an n x n x n matmul (best of a few), the yardstick for every floor.</summary>
    public static double MatmulGflops(int n = 2048, int runs = 5)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        var t = Time(() => { using var c = a.matmul(b); }, warmup: 1, runs: runs);
        return 2.0 * n * n * n / (t.MinMs / 1000) / 1e9;
    }

    /// <summary>Peak resident set size of this process so far (VmHWM), in MB.</summary>
    public static double PeakRssMb() => ReadStatusKb("VmHWM:") / 1024.0;

    public static double RssMb() => ReadStatusKb("VmRSS:") / 1024.0;

    static long ReadStatusKb(string key)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0]);
    }

    /// <summary>Minor and major page faults of this process so far (/proc/self/stat fields 10 and 12).</summary>
    public static (long Minor, long Major) PageFaults()
    {
        if (!File.Exists("/proc/self/stat")) return (0, 0);
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[7]), long.Parse(fields[9]));
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
