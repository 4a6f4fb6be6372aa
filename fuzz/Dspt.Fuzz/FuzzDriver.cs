using System.Diagnostics;

namespace Dspt.Fuzz;

/// <summary>What one target did: inputs run, how they ended, the slowest, and every finding.</summary>
/// <param name="SlowestMs">The most CPU time (all threads of the process) one input took.</param>
/// <param name="SlowestWallMs">The longest wall-clock time of one input (on a shared machine this
/// also measures the neighbours).</param>
public sealed record TargetStats(string Name, int Inputs, int Accepted, int Rejected, double SlowestMs, double SlowestWallMs, double TotalMs, List<Finding> Findings)
{
    public int Exceptions => Findings.Count(f => f.Kind == "exception");
    public int Slow => Findings.Count(f => f.Kind == "slow");
}

/// <param name="Kind">"exception" (not InvalidInputException), "slow" (over the time limit),
/// "crash" or "hang" (the child process died or stopped).</param>
public sealed record Finding(string Kind, int Index, string Message, string? InputFile);

/// <summary>
/// Runs one target in this process: seeds first (unmutated), then mutations. Each input is
/// timed; one over the limit, or any exception but InvalidInputException, is written to the
/// findings folder for reproduction (<c>--replay FILE</c>).
/// </summary>
public static class FuzzDriver
{
    public static TargetStats Run(FuzzTarget target, int inputs, int seed, string workDir, string? findingsDir,
        TimeSpan timeLimit, Action<int>? starting = null, Action<string>? log = null, string? currentFile = null)
    {
        Directory.CreateDirectory(workDir);
        var seeds = target.Prepare(workDir);
        // Only targets that depend on ../shared/fixtures can have none.
        if (seeds.Count == 0)
        {
            log?.Invoke($"{target.Name}: no seeds (fixtures not found), skipped");
            return new TargetStats(target.Name, 0, 0, 0, 0, 0, 0, []);
        }
        // Each target gets its own stream, so one target's count does not change another's inputs.
        var rng = new Random(HashCode.Combine(seed, StableHash(target.Name)));
        // Fixture models are megabytes; mutating them is mostly flipping weights and costs a
        // megabyte copy per input, so they are the base of one mutation in 32 only.
        var small = seeds.Where(s => s.Length <= 1 << 20).ToList();
        if (small.Count == 0) small = seeds;
        var findings = new List<Finding>();
        int accepted = 0, rejected = 0;
        double slowest = 0, slowestWall = 0, total = 0;
        var watch = new Stopwatch();
        using var self = Process.GetCurrentProcess();
        for (int i = 0; i < inputs; i++)
        {
            var input = i < seeds.Count ? seeds[i] : Mutator.Mutate(rng, rng.Next(32) == 0 ? seeds : small);
            // Written first, so that the input that kills the process is on disk.
            if (currentFile != null) File.WriteAllBytes(currentFile, input);
            starting?.Invoke(i);
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            watch.Restart();
            Exception? error = null;
            try
            {
                target.Run(workDir, input);
                accepted++;
            }
            catch (InvalidInputException e)
            {
                rejected++;
                // A seed is a valid input; one that is refused means the target tests less than it claims.
                if (i < seeds.Count) log?.Invoke($"{target.Name}: seed {i} is rejected: {e.Message}");
            }
            catch (Exception e) { error = e; }
            watch.Stop();
            self.Refresh();
            // The limit is on CPU time: on a shared, overloaded machine wall-clock time mostly
            // measures the other processes. A blocked reader uses no CPU; the hang watchdog of
            // the child process catches that by wall-clock time.
            double ms = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
            total += ms;
            slowest = Math.Max(slowest, ms);
            slowestWall = Math.Max(slowestWall, watch.Elapsed.TotalMilliseconds);
            if (error != null)
                findings.Add(Save(findingsDir, target, i, input, "exception", $"{error.GetType().FullName}: {error.Message}\n{error.StackTrace}", log));
            else if (ms > timeLimit.TotalMilliseconds)
                findings.Add(Save(findingsDir, target, i, input, "slow", $"{ms:0} ms CPU, {watch.Elapsed.TotalMilliseconds:0} ms wall (limit {timeLimit.TotalMilliseconds:0} ms CPU)", log));
            if (i % 64 == 63) GC.Collect();
        }
        return new TargetStats(target.Name, inputs, accepted, rejected, slowest, slowestWall, total, findings);
    }

    static Finding Save(string? dir, FuzzTarget target, int index, byte[] input, string kind, string message, Action<string>? log)
    {
        string? file = null;
        if (dir != null)
        {
            Directory.CreateDirectory(dir);
            file = Path.Combine(dir, $"{target.Name}-{index:D6}-{kind}.bin");
            File.WriteAllBytes(file, input);
            File.WriteAllText(file + ".txt", message + "\n");
        }
        log?.Invoke($"{target.Name} #{index}: {kind}: {message.Split('\n')[0]}{(file != null ? $" ({file})" : "")}");
        return new Finding(kind, index, message, file);
    }

    /// <summary>string.GetHashCode is randomised per process; this is not.</summary>
    public static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (char c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }
}
