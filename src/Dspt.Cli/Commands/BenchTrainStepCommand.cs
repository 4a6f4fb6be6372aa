using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Dspt.Bench;
using TorchSharp;

namespace Dspt.Cli.Commands;

/// <summary>
/// `dspt bench train-step`: one CoOp training step on the text side, plain vs the exact
/// speed-ups. Each variant's peak memory is measured in a child process of its own (this
/// command with --peak-of), so memory the allocator keeps after one variant cannot hide in
/// another's number; the timings run interleaved in this process.
/// </summary>
public static class BenchTrainStepCommand
{
    public static Command Create(NativeTuning? tuning)
    {
        var classes = new Option<int>("--num-classes") { Description = "number of classes (Oxford Flowers names, 1..102)", DefaultValueFactory = _ => 102 };
        var batch = new Option<int>("--batch-size") { Description = "images per step (their features are given)", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "timed steps per variant", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps per variant before timing", DefaultValueFactory = _ => 1 };
        var threads = CommonOptions.Threads();
        var vocab = new Option<string>("--vocab") { Description = "CLIP BPE vocabulary", DefaultValueFactory = _ => TrainStepBench.DefaultVocab };
        var noPeaks = new Option<bool>("--no-peaks") { Description = "skip the per-variant peak-memory runs (child processes)" };
        var peakOf = new Option<string?>("--peak-of") { Description = "internal: print the peak RSS (MB) of two steps of this variant alone", Hidden = true };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var learner = new Option<string>("--learner") { Description = "coop, or cocoop (4 context vectors from \"a photo of a\", one text encoding per image)", DefaultValueFactory = _ => "coop" };
        var variants = new Option<string[]?>("--variants") { Description = "run only these variants beside plain (truncate, share, fast; default all)", AllowMultipleArgumentsPerToken = true };
        var perImage = new Option<bool>("--untruncated-per-image")
        {
            Description = "cocoop: plain and share take the batch one image at a time with a backward each (the same gradient and work, one image's memory)",
        };
        var command = new Command("train-step", "One CoOp or CoCoOp training step (text side, K classes, ViT-B/16-sized random text tower): plain vs truncation vs shared prefix")
        {
            classes, batch, steps, warmup, threads, vocab, noPeaks, peakOf, json, learner, variants, perImage,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            int? threadCount = parse.GetValue(threads);
            CommonOptions.ApplyThreads(parse, threads);
            var settings = new TrainStepBench.Settings(parse.GetValue(classes), parse.GetValue(batch), parse.GetValue(steps),
                parse.GetValue(warmup), parse.GetValue(vocab)!, NativeTuning.Describe(tuning), parse.GetValue(learner)!.ToLowerInvariant(),
                parse.GetValue(variants) is { Length: > 0 } only ? [.. only.Select(v => v.ToLowerInvariant())] : null, parse.GetValue(perImage));
            settings.Validated();
            if (parse.GetValue(peakOf) is string variant)
            {
                output.WriteLine(TrainStepBench.PeakOf(settings, variant).ToString("F1", CultureInfo.InvariantCulture));
                return 0;
            }
            bool asJson = parse.GetValue(json);
            Func<string, double>? peaks = parse.GetValue(noPeaks) ? null : name => PeakInChild(settings, threadCount, name);
            var result = TrainStepBench.Run(settings, peaks, asJson ? error.WriteLine : output.WriteLine);
            output.WriteLine(asJson ? TrainStepBench.ToJson(result) : TrainStepBench.ToMarkdown(result));
            return 0;
        });
        return command;
    }

    /// <summary>Runs this executable with --peak-of in a fresh process (which applies the same native tuning).</summary>
    static double PeakInChild(TrainStepBench.Settings s, int? threads, string variant)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate this executable");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Run as `dotnet dspt.dll`, the child needs the dll; the apphost needs nothing more.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        string[] args = ["bench", "train-step", "--peak-of", variant, "--num-classes", $"{s.Classes}", "--batch-size", $"{s.Batch}", "--vocab", s.VocabPath, "--learner", s.Learner,
            .. s.UntruncatedPerImage ? new[] { "--untruncated-per-image" } : []];
        foreach (var a in args) info.ArgumentList.Add(a);
        if (threads is int t) { info.ArgumentList.Add("--threads"); info.ArgumentList.Add($"{t}"); }
        using var child = Process.Start(info) ?? throw new InvalidOperationException($"could not start {host}");
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0 || !double.TryParse(stdout.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double mb))
            throw new InvalidOperationException($"peak-memory run of '{variant}' failed (exit {child.ExitCode}): {stderr.Result.Trim()}");
        return mb;
    }
}
