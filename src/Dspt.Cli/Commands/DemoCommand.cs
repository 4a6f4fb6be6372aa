using System.CommandLine;
using System.Globalization;
using Dspt.Cli.Progress;
using Dspt.Demo;
using Dspt.Reporting;

namespace Dspt.Cli.Commands;

/// <summary>`dspt demo`: the main job on the built-in default (no downloads, no arguments needed).</summary>
public static class DemoCommand
{
    /// <summary>Where under the output folder the demo's sweep keeps its run folders (`dspt report OUT/runs` reads them).</summary>
    public const string RunsFolder = "runs";

    public static Command Create()
    {
        var outDir = new Option<string?>("--out", "-o") { Description = "output folder (default: runs/demo-<time>)" };
        var quick = new Option<bool>("--quick") { Description = "one seed, two noise rates, few epochs (a smoke run)" };
        var seeds = new Option<int[]?>("--seeds") { Description = "seeds (default 1 2 3)", AllowMultipleArgumentsPerToken = true };
        var noise = new Option<string[]?>("--noise") { Description = "noise settings (default none sym:0.25 sym:0.5 sym:0.75 asym:0.5)", AllowMultipleArgumentsPerToken = true };
        var losses = new Option<string[]?>("--losses") { Description = "losses and baselines: ce, dspt, gce[:q], mae[:s], nlprompt[:reg] (default ce dspt gce mae)", AllowMultipleArgumentsPerToken = true };
        var learners = new Option<string[]?>("--learners") { Description = "prompt learners: coop, cocoop, kgcoop[:W] (default coop); each with every loss, CoCoOp at its batch 1 and 10 epochs unless --epochs N", AllowMultipleArgumentsPerToken = true };
        var epochs = new Option<string[]?>("--epochs") { Description = "epochs for all losses (N) or one loss (LOSS=N); repeatable", AllowMultipleArgumentsPerToken = true };
        var lr = new Option<string[]?>("--lr") { Description = "learning rate for all losses (X) or one loss (LOSS=X); repeatable", AllowMultipleArgumentsPerToken = true };
        var shifted = new Option<double?>("--shifted") { Description = $"fraction of downstream images in shifted styles (default {WorldDefaults.ShiftedFraction})" };
        var style = new Option<string?>("--shifted-style") { Description = $"style of the shifted images: mixed, outline, faint, noisy (default {WorldDefaults.ShiftedStyle})" };
        var worldSeed = new Option<long?>("--world-seed") { Description = "seed of the downstream task's images and splits (default 1): another draw of the same task" };
        var model = new Option<string?>("--model") { Description = "folder with the demo model (default: the bundled assets/demo)" };
        var threads = CommonOptions.Threads();
        var command = new Command("demo", "Noisy-label prompt tuning on the built-in world: zero-shot, CE, DSPT, GCE, MAE across noise rates and seeds; table, plots, report")
        {
            outDir, quick, seeds, noise, losses, learners, epochs, lr, shifted, style, worldSeed, model, threads,
        };
        command.SetAction((parse, cancel) =>
        {
            CommonOptions.ApplyThreads(parse, threads);
            var output = parse.InvocationConfiguration.Output;
            var options = parse.GetValue(quick) ? DemoOptions.QuickRun : new DemoOptions();
            if (parse.GetValue(seeds) is { Length: > 0 } s) options = options with { Seeds = s };
            if (parse.GetValue(noise) is { Length: > 0 } n) options = options with { Noise = n };
            if (parse.GetValue(losses) is { Length: > 0 } l) options = options with { Losses = [.. l.Select(x => x.ToLowerInvariant())] };
            if (parse.GetValue(learners) is { Length: > 0 } ls) options = options with { Learners = [.. ls.Select(x => x.ToLowerInvariant())] };
            foreach (var learner in options.Learners) Dspt.Prompting.LearnerRegistry.Kind(learner);
            if (parse.GetValue(shifted) is double f)
            {
                if (f is < 0 or > 1) throw new InvalidInputException($"--shifted {f}: expected a fraction in [0, 1]");
                options = options with { ShiftedFraction = f };
            }
            if (parse.GetValue(style) is string st)
            {
                WorldDefaults.DownstreamSpec(st, options.ShiftedFraction);
                options = options with { ShiftedStyle = st.ToLowerInvariant() };
            }
            if (parse.GetValue(worldSeed) is long ws) options = options with { WorldSeed = ws };
            var (epochAll, epochPer) = PerLoss(parse.GetValue(epochs), "--epochs", int.Parse);
            if (epochAll is int e) options = options with { Epochs = e, EpochsForAllLearners = true };
            options = options with { EpochsPerLoss = epochPer };
            var (lrAll, lrPer) = PerLoss(parse.GetValue(lr), "--lr", x => double.Parse(x, CultureInfo.InvariantCulture));
            if (lrAll is double rate) options = options with { LearningRate = rate };
            options = options with { LearningRates = lrPer };
            foreach (var loss in options.Losses) Dspt.Objectives.TrainingObjectives.Create(loss);
            foreach (var x in options.Noise) Dspt.Data.NoiseSpec.Parse(x).Validate();

            string folder = parse.GetValue(outDir) ?? Path.Combine("runs", $"demo-{DateTime.Now:yyyyMMdd-HHmmss}");
            string modelFolder = parse.GetValue(model) ?? DemoModel.BundledFolder();
            string commandLine = "dspt " + string.Join(" ", parse.Tokens.Select(t => t.Value));
            var result = DemoProgressDisplay.Run(parse.InvocationConfiguration.Error, p => new DemoRunner(options, p).Run(modelFolder, Path.Combine(folder, RunsFolder), cancel));
            DemoReport.Write(folder, result, commandLine);

            output.WriteLine();
            output.WriteLine($"zero-shot {result.ZeroShotAccuracy:F1} %, linear probe {result.LinearProbeAccuracy:F1} % (test top-1, {result.TestImages} images)");
            output.WriteLine(new ResultsTable(result.Runs).ToMarkdown());
            output.WriteLine($"report: {Path.Combine(folder, DemoReport.ReportFile)} (plots {DemoReport.NoisePlotFile}, {DemoReport.GradientPlotFile}; {result.Seconds:F0} s)");
            output.WriteLine($"output folder: {Path.GetFullPath(folder)}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>"N" applies to every loss, "LOSS=N" to one.</summary>
    static (T? All, Dictionary<string, T> PerLoss) PerLoss<T>(string[]? values, string option, Func<string, T> parse) where T : struct
    {
        T? all = null;
        var per = new Dictionary<string, T>();
        foreach (var v in values ?? [])
        {
            int eq = v.IndexOf('=');
            try
            {
                if (eq < 0) all = parse(v);
                else per[v[..eq].Trim().ToLowerInvariant()] = parse(v[(eq + 1)..]);
            }
            catch (FormatException)
            {
                throw new InvalidInputException($"{option} {v}: expected a number or LOSS=number");
            }
        }
        return (all, per);
    }
}
