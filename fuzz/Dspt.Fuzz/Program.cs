using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dspt;
using Dspt.Fuzz;

// A seeded mutation fuzzer for Dspt's readers. Each target runs in a child process of its own,
// so a native crash (LibTorch abort, stack overflow) or a hang ends that child, not the run, and
// is reported with the input that caused it.
//
//   dotnet run --project fuzz/Dspt.Fuzz -c Release -- --inputs 100000 --seed 1 [--targets a,b] [--out DIR]
//   dotnet run --project fuzz/Dspt.Fuzz -c Release -- --replay TARGET FILE

var options = Options.Parse(args);
if (options.List)
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-20} {t.Description}");
    return 0;
}
if (options.Replay is { } replay)
{
    var target = FuzzTargets.Find(replay.Target);
    string work = Directory.CreateTempSubdirectory("dspt-fuzz-replay-").FullName;
    target.Prepare(work);
    try { target.Run(work, File.ReadAllBytes(replay.File)); Console.WriteLine("accepted"); }
    catch (InvalidInputException e) { Console.WriteLine($"rejected: {e.Message}"); }
    return 0;
}
if (options.Child is { } childTarget) return Child.Run(childTarget, options);

var targets = options.Targets?.Select(FuzzTargets.Find).ToList() ?? [.. FuzzTargets.All];
Directory.CreateDirectory(options.Out);
Console.WriteLine($"fuzzing {targets.Count} targets, {options.Inputs} inputs in all, seed {options.Seed}, findings in {options.Out}");
var total = Stopwatch.StartNew();
var results = new List<ChildResult>();
for (int i = 0; i < targets.Count; i++)
{
    int share = options.Inputs / targets.Count + (i < options.Inputs % targets.Count ? 1 : 0);
    results.Add(Parent.RunChild(targets[i], share, options));
}
total.Stop();

Console.WriteLine();
Console.WriteLine($"{"target",-20} {"inputs",8} {"accepted",9} {"rejected",9} {"exceptions",10} {"slow",5} {"crashes",7} {"max cpu ms",10} {"max wall ms",11} {"mean cpu ms",11}");
foreach (var r in results)
    Console.WriteLine($"{r.Target,-20} {r.Inputs,8} {r.Accepted,9} {r.Rejected,9} {r.Exceptions,10} {r.Slow,5} {r.Crashes,7} {r.SlowestMs,10:0.0} {r.SlowestWallMs,11:0.0} {(r.Inputs > 0 ? r.TotalMs / r.Inputs : 0),11:0.00}");
int failures = results.Sum(r => r.Exceptions + r.Slow + r.Crashes);
Console.WriteLine($"{"all",-20} {results.Sum(r => r.Inputs),8} {results.Sum(r => r.Accepted),9} {results.Sum(r => r.Rejected),9} {results.Sum(r => r.Exceptions),10} {results.Sum(r => r.Slow),5} {results.Sum(r => r.Crashes),7} {results.Max(r => r.SlowestMs),10:0.0} {results.Max(r => r.SlowestWallMs),11:0.0}");
Console.WriteLine($"total time {total.Elapsed.TotalSeconds:0} s; {failures} failure(s){(failures > 0 ? $", inputs in {options.Out}" : "")}");
File.WriteAllText(Path.Combine(options.Out, "summary.json"), JsonSerializer.Serialize(new { options.Inputs, options.Seed, seconds = total.Elapsed.TotalSeconds, results }, new JsonSerializerOptions { WriteIndented = true }));
return failures == 0 ? 0 : 1;

sealed record Options(int Inputs, int Seed, string Out, List<string>? Targets, double TimeLimitSeconds, double HangSeconds, string? Child, (string Target, string File)? Replay, bool List)
{
    public static Options Parse(string[] args)
    {
        int inputs = 10_000, seed = 1;
        string output = Path.Combine(Path.GetTempPath(), "dspt-fuzz");
        List<string>? targets = null;
        double limit = 2, hang = 60;
        string? child = null;
        (string, string)? replay = null;
        bool list = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--inputs": inputs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--out": output = Next(); break;
                case "--targets": targets = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                case "--time-limit": limit = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--hang": hang = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--child": child = Next(); break;
                case "--replay": replay = (Next(), Next()); break;
                case "--list": list = true; break;
                default: throw new ArgumentException($"unknown option {args[i]}; see the comment at the top of Program.cs");
            }
        }
        return new Options(inputs, seed, Path.GetFullPath(output), targets, limit, hang, child, replay, list);
    }
}

/// <summary>What a child reports on its last stdout line (or what the parent saw it die of).</summary>
sealed record ChildResult(string Target, int Inputs, int Accepted, int Rejected, int Exceptions, int Slow, int Crashes, double SlowestMs, double SlowestWallMs, double TotalMs);

static class Parent
{
    public static ChildResult RunChild(FuzzTarget target, int inputs, Options o)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Under `dotnet run` the process is the dotnet host and the program is the entry assembly.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(Parent).Assembly.Location);
        foreach (var a in new[] { "--child", target.Name, "--inputs", $"{inputs}", "--seed", $"{o.Seed}", "--out", o.Out,
                     "--time-limit", o.TimeLimitSeconds.ToString(CultureInfo.InvariantCulture), "--hang", o.HangSeconds.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string? last = null;
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) Console.Error.WriteLine($"  [{target.Name}] {e.Data}"); };
        p.BeginErrorReadLine();
        while (p.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith("result ", StringComparison.Ordinal)) last = line[7..];
            else Console.WriteLine($"  [{target.Name}] {line}");
        }
        p.WaitForExit();
        if (p.ExitCode == 0 && last != null) return JsonSerializer.Deserialize<ChildResult>(last)!;
        // The child died: keep the input it was on.
        string current = Path.Combine(o.Out, $"{target.Name}-current.bin");
        string kept = Path.Combine(o.Out, $"{target.Name}-crash-exit{p.ExitCode}.bin");
        if (File.Exists(current)) File.Copy(current, kept, overwrite: true);
        Console.WriteLine($"  [{target.Name}] CRASH: the child exited with {p.ExitCode}; its input is in {kept}");
        return new ChildResult(target.Name, inputs, 0, 0, 0, 0, 1, 0, 0, 0);
    }
}

static class Child
{
    public static int Run(string name, Options o)
    {
        var target = FuzzTargets.Find(name);
        string work = Directory.CreateTempSubdirectory($"dspt-fuzz-{name}-").FullName;
        string current = Path.Combine(o.Out, $"{name}-current.bin");
        long startedAt = 0;
        int index = -1;
        var watch = Stopwatch.StartNew();
        // A hang is an input still running after --hang seconds: keep it and end the child.
        var watchdog = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(1000);
                long since = Interlocked.Read(ref startedAt);
                if (since > 0 && watch.ElapsedMilliseconds - since > o.HangSeconds * 1000)
                {
                    Console.WriteLine($"HANG on input #{index} (> {o.HangSeconds} s)");
                    Console.Out.Flush();
                    Environment.Exit(3);
                }
            }
        }) { IsBackground = true };
        watchdog.Start();
        var progress = Stopwatch.StartNew();
        try
        {
            var stats = FuzzDriver.Run(target, o.Inputs, o.Seed, work, o.Out, TimeSpan.FromSeconds(o.TimeLimitSeconds),
                i =>
                {
                    index = i;
                    Interlocked.Exchange(ref startedAt, watch.ElapsedMilliseconds);
                    if (progress.Elapsed.TotalSeconds >= 10) { Console.WriteLine($"{i}/{o.Inputs} inputs"); progress.Restart(); }
                },
                Console.WriteLine, current);
            Console.WriteLine("result " + JsonSerializer.Serialize(new ChildResult(name, stats.Inputs, stats.Accepted, stats.Rejected,
                stats.Exceptions, stats.Slow, 0, stats.SlowestMs, stats.SlowestWallMs, stats.TotalMs)));
            File.Delete(current);
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
