using System.Diagnostics;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.Losses;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Reporting;
using Dspt.Text;
using Dspt.Training;
using Dspt.Builtin;
using Dspt.Runs;
using Dspt.Sweeps;
using Dspt.World;
using static TorchSharp.torch;

namespace Dspt.Demo;

/// <summary>Where the demo reports progress; one call per finished training run.</summary>
public interface IDemoProgress
{
    void Stage(string what);
    void RunFinished(int done, int total, RunResult result);
}

/// <summary>Everything the report is made from; no number in the report comes from anywhere else.</summary>
public sealed record DemoResult(
    DemoOptions Options,
    string ModelFile,
    string ModelSha256,
    string ModelDescription,
    string TaskName,
    int Classes,
    int TestImages,
    double ZeroShotAccuracy,
    double LinearProbeAccuracy,
    IReadOnlyList<RunResult> Runs,
    IReadOnlyList<(string Loss, IReadOnlyList<SampleGradient> Samples)> Gradients,
    string GradientSetting,
    double Seconds);

/// <summary>
/// The built-in demo as a sweep: a built-in plan (the bundled world CLIP, its main task, CoOp
/// prompt tuning with each loss under each noise setting and seed) run by the same
/// <see cref="SweepExecutor"/> as <c>dspt sweep</c>, one run folder per run under the demo's
/// output; the table's numbers are read back from those folders. Image features are computed once
/// (no augmentation: the report says so) and shared by every run, and by the linear probe and the
/// gradient picture.
/// </summary>
public sealed class DemoRunner(DemoOptions options, IDemoProgress? progress = null)
{
    /// <summary>The plan the demo runs (its runs' folders go under <c>OUT/runs</c>).</summary>
    public SweepPlan Plan(string modelFolder)
    {
        var dataset = new BuiltinDataset(options.Task, options.WorldSeed, Math.Max(BuiltinDataset.DefaultTrainPerClass, options.Shots), options.TestPerClass,
            options.ShiftedFraction, options.ShiftedStyle.ToLowerInvariant());
        string weights = Path.GetFullPath(Path.Combine(modelFolder, DemoModel.WeightsFile));
        // Epochs: a per-loss count wins; otherwise the demo's count, except for a learner with its own (CoCoOp's 10 at batch 1) unless --epochs N or --quick asked for all.
        var methods = options.Losses.Select(loss => new PlanMethod(EvaluationReport.FileSafe(loss.Replace(':', '-')), TrainingObjectives.Create(loss).Name,
            new PlanTraining(Epochs: options.EpochsPerLoss.TryGetValue(loss, out int e) ? e : null, Lr: options.LearningRateFor(loss), Views: 0))).ToList();
        var learners = options.Learners.Select(l => l.Trim().ToLowerInvariant()).Distinct().Select(l => new PlanLearner(l, EvaluationReport.FileSafe(l.Replace(':', '-')),
            Epochs: LearnerRegistry.Defaults(l).Epochs is not null && !options.EpochsForAllLearners ? null : options.Epochs)).ToList();
        return new SweepPlan("demo", Path.GetFullPath(modelFolder), [new PlanDataset(dataset.Address, dataset.ShortName, null, null)],
            [new PlanModel(weights, "world-clip", null)], [options.Shots], [.. options.Noise.Select(n => NoiseSpec.Parse(n).ToString())], methods, [.. options.Seeds],
            learners);
    }

    public DemoResult Run(string modelFolder, string runsFolder, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var plan = Plan(modelFolder);
        var runs = PlanExpansion.Expand(plan);
        string weights = plan.Models[0].Address;
        progress?.Stage($"loading {weights}");
        using var executor = new SweepExecutor(plan, PlanExpansion.PlanHash(runs), new SweepOptions(Path.GetFullPath(runsFolder), Checkpoints: false))
        {
            Status = m => { if (m.StartsWith("rendering", StringComparison.Ordinal)) progress?.Stage(m); },
        };
        var outcome = executor.Run(runs, new Progress(progress, Display), cancel);
        if (outcome.Failed.Count > 0)
            throw new TrainingDivergedException($"{outcome.Failed.Count} demo run(s) diverged, e.g. {outcome.Failed[0].Run.Folder}: {outcome.Failed[0].Error}");

        // Every number of the table comes from the run folders.
        var records = runs.Select(r => RunFolderReader.ReadOne(new RunFolder(Path.Combine(runsFolder, r.Folder)))).ToList();
        var noiseOrder = plan.Noise.ToList();
        var lossOrder = plan.Methods.Select(m => m.Name).ToList();
        var learnerOrder = plan.LearnerAxis.Select(l => l.Name).ToList();
        var results = runs.Zip(records)
            .OrderBy(x => noiseOrder.IndexOf(x.First.Settings.Noise)).ThenBy(x => options.Seeds.ToList().IndexOf(x.First.Settings.Seed))
            .ThenBy(x => learnerOrder.IndexOf(x.First.Settings.Learner ?? "coop")).ThenBy(x => lossOrder.IndexOf(x.First.MethodName))
            .Select(x => new RunResult(Display(x.First), NoiseSpec.Parse(x.First.Settings.Noise).Type,
                NoiseSpec.Parse(x.First.Settings.Noise) is var n && n.Type == NoiseSpec.None ? 0 : n.Rate, x.First.Settings.Seed, x.Second.Accuracy)).ToList();
        double zeroShot = records[0].ZeroShotAccuracy;

        progress?.Stage("linear probe and per-sample gradients");
        var (loaded, source) = executor.Resources(runs[0]);
        var model = loaded.Model;
        var dataset = DatasetReader.Read(plan.Datasets[0].Address);
        var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(null, weights));
        Tensor Features(IEnumerable<string> paths) => source.Encode([.. paths.Select(p => Path.Combine(dataset.Root, p))]);
        using var testFeatures = Features(dataset.Test.Select(i => i.Path));
        long[] testLabels = [.. dataset.Test.Select(t => (long)t.Label)];
        var clean = FewShot.Draw(dataset, options.Shots, NoiseSpec.Clean, options.Seeds[0]);
        using var cleanFeatures = Features(clean.Train.Select(i => i.Path));
        double probe = LinearProbe.Accuracy(cleanFeatures, [.. clean.Train.Select(i => (long)i.Label)], testFeatures, testLabels, dataset.NumClasses);

        // The picture uses the symmetric rate closest to 50 % among those run (50 % when none is).
        var gradientNoise = options.Noise.Select(NoiseSpec.Parse).Where(n => n.Type == NoiseSpec.Sym).MinBy(n => Math.Abs(n.Rate - 0.5))
                            ?? NoiseSpec.Parse("sym:0.5");
        var gradSplit = FewShot.Draw(dataset, options.Shots, gradientNoise, options.Seeds[0]);
        using var gradFeatures = Features(gradSplit.Train.Select(i => i.Path));
        using var zeroShotText = CoOpPrompts.ZeroShotFeatures(model, tokenizer, dataset.ClassNames, dataset.Template);
        var gradients = new List<(string, IReadOnlyList<SampleGradient>)>();
        using (var logits = model.Logits(gradFeatures, zeroShotText))
            foreach (var lossName in new[] { "ce", "dspt" })
                gradients.Add((DisplayName(lossName), PerSampleGradients(logits, gradSplit.Train, LossRegistry.Create(lossName))));

        return new DemoResult(options, weights, loaded.Info.Sha256, model.Config.ToString(), options.Task, dataset.NumClasses,
            dataset.Test.Count, zeroShot, probe, results, gradients,
            $"{gradientNoise.Type} {gradientNoise.Rate:P0} noise, seed {options.Seeds[0]}, logits of the zero-shot prompt", clock.Elapsed.TotalSeconds);
    }

    public static string DisplayName(string loss) => MethodNames.Display(loss) is var d && d != loss ? d : loss.ToUpperInvariant();

    /// <summary>
    /// A run's method in the demo's table: its loss as the user wrote it, in the papers' spelling,
    /// after its learner ("CoCoOp DSPT") when the demo trains any learner other than CoOp.
    /// </summary>
    string Display(PlannedRun run)
    {
        string loss = DisplayName(options.Losses.First(l => EvaluationReport.FileSafe(l.Replace(':', '-')) == run.MethodName));
        return options.Learners.All(l => l.Trim().ToLowerInvariant() == "coop") ? loss : $"{MethodNames.Learner(run.Settings.Learner ?? "coop")} {loss}";
    }

    /// <summary>Forwards the sweep's finished runs to the demo's display.</summary>
    sealed class Progress(IDemoProgress? inner, Func<PlannedRun, string> display) : ISweepProgress
    {
        int done;

        public void Status(string message) => inner?.Stage(message);

        public ITrainingProgress? RunStarting(int position, int total, PlannedRun run, RunState state) => null;

        public void RunFinished(int position, int total, PlannedRun run, FinalResult result, bool skipped)
        {
            var noise = NoiseSpec.Parse(run.Settings.Noise);
            inner?.RunFinished(++done, total, new RunResult(display(run), noise.Type, noise.Type == NoiseSpec.None ? 0 : noise.Rate, run.Settings.Seed, result.Accuracy));
        }
    }

    static IReadOnlyList<SampleGradient> PerSampleGradients(Tensor logits, IReadOnlyList<NoisyItem> items, IPromptLoss loss)
    {
        using var scope = NewDisposeScope();
        var z = logits.detach().clone().requires_grad_(true);
        var labels = tensor(items.Select(i => (long)i.Label).ToArray());
        // Summed, not averaged: each row of the gradient is then that sample's own d loss / d z.
        loss.PerSample(z, labels).sum().backward();
        var norms = z.grad!.norm(1).data<float>().ToArray();
        var py = softmax(z.detach(), 1).gather(1, labels.unsqueeze(1)).squeeze(1).data<float>().ToArray();
        return [.. items.Select((it, i) => new SampleGradient(py[i], norms[i], it.IsCorrupted))];
    }
}
