using System.CommandLine;
using System.Globalization;
using Dspt.Cli.Progress;
using Dspt.Data;
using Dspt.Features;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

/// <summary>
/// dspt train: draws the few-shot split, trains a prompt with CoOp's recipe and the chosen loss,
/// and writes a run folder (manifest.json, fewshot.json, checkpoint.safetensors, metrics.jsonl,
/// prompt.safetensors + prompt.json, evaluation.*, final.json). --resume DIR continues an
/// interrupted run from its last complete epoch with the settings in its manifest.
/// The run holds the folder's <see cref="RunLock"/> while it trains.
/// Exit codes: 0 done, 2 bad input (also: the folder is in use by another run), 3 the loss diverged, 130 interrupted.
/// </summary>
public static class TrainCommand
{
    public const int DivergedExitCode = 3;
    public const int InterruptedExitCode = 130;

    /// <summary>dspt train's options; those that say what a new run does (all but --resume and the compute settings) are its spec.</summary>
    sealed class TrainOptions
    {
        public ModelOptionSet Models { get; } = new(required: false, withDType: false);
        public Option<string?> Dataset { get; } = CommonOptions.Dataset("dataset folder or file (CoOp layout, image folder, manifest ...; see 'dspt data')", required: false);
        public DatasetOptionSet Reading { get; } = new();
        public Option<string?> Template { get; } = new("--template") { Description = "zero-shot template for the reference row, default the dataset's (e.g. \"a photo of a {}.\")" };
        public TrainingOptionSet Training { get; } = new();
        public Option<string?> SplitFile { get; } = new("--split-file")
        {
            Description = "train on this saved few-shot split (as dspt data inspect --save or a run's fewshot.json writes it) instead of drawing one; its shots and noise are the run's",
        };
        public Option<string?> CtxInit { get; } = new("--ctx-init") { Description = "initialise the context from a phrase such as \"a photo of a\" (sets --n-ctx to its word count)" };
        public Option<bool> Csc { get; } = new("--csc") { Description = "class-specific context (one set of vectors per class)" };
        public Option<string> Position { get; } = new("--position") { Description = "class token position: end, middle, front", DefaultValueFactory = _ => "end" };
        public Option<string> Learner { get; } = new("--learner")
        {
            Description = $"prompt learner: {string.Join(", ", LearnerRegistry.Names)} (cocoop and kgcoop start from their configs: 4 vectors from \"a photo of a\"; cocoop batch 1, 10 epochs)",
            DefaultValueFactory = _ => "coop",
        };
        public Option<string> Subsample { get; } = CommonOptions.Subsample("all, base or new: CoOp's SUBSAMPLE_CLASSES (the first half of the sorted training labels is base); val/test filtered alike, noise on the training shots only");
        public Option<string?> Out { get; } = CommonOptions.Out("run folder to create", required: false);
        public Option<string?> Corrections { get; } = CommonOptions.Corrections();
        public Option<string?> Resume { get; } = new("--resume") { Description = "continue the run in this folder from its last complete epoch (settings come from its manifest.json)" };
        public CacheOptionSet Cache { get; } = new();

        public TrainOptions() =>
            Training.NCtx.Description = "number of learned context vectors (default: the learner's, 16 for coop, 4 for cocoop/kgcoop)";

        public IReadOnlyList<Option> Spec =>
            [Models.Model, Models.Vocab, Dataset, Template, .. Reading.All, .. Training.All, SplitFile, CtxInit, Csc, Position, Learner, Subsample, Out, Corrections];
    }

    public static Command Create()
    {
        var o = new TrainOptions();
        var (models, cache, output, resume, corrections) = (o.Models, o.Cache, o.Out, o.Resume, o.Corrections);
        var command = new Command("train", "Train a prompt (CoOp recipe) on a few-shot, optionally noisy split; writes a run folder");
        CommonOptions.AddAll(command, models.All, [o.Dataset], o.Reading.All, [o.Template], o.Training.All,
            [o.SplitFile, o.CtxInit, o.Csc, o.Position, o.Learner, o.Subsample, output, resume, corrections], cache.All);
        var specOptions = o.Spec;

        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string? cacheDir = cache.Directory(parse);
            TrainingRun run;
            if (parse.GetValue(resume) is { } resumeDir)
            {
                var given = specOptions.Where(option => CommonOptions.Given(parse, option)).Select(option => option.Name).ToList();
                if (given.Count > 0)
                    throw new InvalidInputException($"--resume takes the run's settings from {Path.Combine(resumeDir, "manifest.json")}; only --device, --threads, --cache-dir and --no-cache may be given with it, not {string.Join(", ", given)}");
                var folder = new RunFolder(resumeDir);
                if (folder.HasManifest && folder.IsComplete)
                {
                    folder.ReadManifest();
                    stdout.WriteLine($"{folder.Path} is already complete: test accuracy {folder.ReadFinal().Accuracy:F2}%");
                    return 0;
                }
                run = RunPipeline.Resume(resumeDir, spec => spec with
                {
                    Device = CommonOptions.Given(parse, models.Device) ? parse.GetValue(models.Device)! : spec.Device,
                    Threads = parse.GetValue(models.Threads) ?? spec.Threads,
                    CacheDirectory = cache.Given(parse) ? cacheDir : spec.CacheDirectory,
                }, status: stderr.WriteLine, warn: w => stderr.WriteLine($"warning: {w}"));
                stderr.WriteLine($"resuming {run.Folder.Path}");
            }
            else
            {
                string outDir = parse.GetValue(output) ?? throw new InvalidInputException("give --out DIR for a new run, or --resume DIR to continue one");
                var spec = NewSpec(parse, o, cacheDir);
                // A folder whose run stopped before its first epoch may be used again (RunPipeline.Create replaces it).
                if (new RunFolder(outDir).HasStartedRun)
                    throw new InvalidInputException($"{Path.GetFullPath(outDir)} already holds a run (manifest.json); continue it with --resume {Path.GetFullPath(outDir)} or choose another --out");
                run = RunPipeline.Create(spec, outDir, warn: w => stderr.WriteLine($"warning: {w}"), status: stderr.WriteLine,
                    corrections: parse.GetValue(corrections), invocation: ResolvedSettings.Of(parse));
                var split = run.Split;
                stderr.WriteLine($"run folder {run.Folder.Path}: {split.Train.Count} training images ({split.Report.Corrupted} with a wrong label), {split.Test.Count} test images, {split.NumClasses} classes");
            }
            using (run)
                return Train(run, stdout, stderr);
        });
        return command;
    }

    static int Train(TrainingRun run, TextWriter stdout, TextWriter stderr)
    {
        using var interrupt = new InterruptSignal();
        try
        {
            // While the bar is live, status lines go through it (above the bar), not around it.
            var result = TrainingProgressDisplay.Run(stderr, (progress, status) =>
            {
                run.Status = status;
                return run.Execute(progress, interrupt.Token);
            });
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test accuracy {result.Accuracy:F2}% (mean per class {result.MeanClassAccuracy:F2}%), zero-shot CLIP {result.ZeroShotAccuracy:F2}%; {run.Folder.Path}"));
            return 0;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine($"interrupted; {run.Folder.Path} keeps the state after epoch {run.CompletedEpochs}/{run.Manifest.Spec.Train.Epochs}. Continue with:");
            stderr.WriteLine($"  dspt train --resume {run.Folder.Path}");
            return InterruptedExitCode;
        }
        catch (TrainingDivergedException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine($"{run.Folder.Path} keeps the last complete epoch; this run cannot continue as is: start a new one with a lower --lr.");
            return DivergedExitCode;
        }
    }

    static RunSpec NewSpec(ParseResult parse, TrainOptions o, string? cacheDir)
    {
        var (models, training, reading) = (o.Models, o.Training, o.Reading);
        bool Given(Option option) => CommonOptions.Given(parse, option);
        training.Validate(parse);
        if (parse.GetValue(models.Threads) is int threads) CommonOptions.AtLeast(models.Threads.Name, threads, 1);
        string model = parse.GetValue(models.Model) ?? throw new InvalidInputException("--model is required for a new run");
        FewShotSplit? saved = null;
        if (parse.GetValue(o.SplitFile) is { } file)
        {
            var fixedBySplit = new Option[] { training.Shots, training.Noise }.Where(Given).Select(option => option.Name).ToList();
            if (fixedBySplit.Count > 0)
                throw new InvalidInputException($"--split-file {file}: the split fixes the shots and the noise; leave out {string.Join(" and ", fixedBySplit)}");
            saved = FewShotSplitFile.Load(file);
        }
        string datasetPath = parse.GetValue(o.Dataset) ?? saved?.Root ?? throw new InvalidInputException("--dataset is required for a new run (or --split-file)");
        int shots = saved?.Shots ?? training.ShotsOf(parse);
        string learner = parse.GetValue(o.Learner)!.Trim().ToLowerInvariant();
        var defaults = LearnerRegistry.Defaults(learner);
        int nCtx = Given(training.NCtx) ? parse.GetValue(training.NCtx) : defaults.NCtx;
        string? ctxInit = Given(o.CtxInit) || Given(training.NCtx) ? parse.GetValue(o.CtxInit) : defaults.CtxInit;
        var train = new TrainConfig(
            Epochs: parse.GetValue(training.Epochs) ?? defaults.Epochs ?? TrainingOptionSet.DefaultEpochs(shots),
            LearningRate: Given(training.Lr) ? parse.GetValue(training.Lr) : defaults.LearningRate,
            BatchSize: Given(training.BatchSize) ? parse.GetValue(training.BatchSize) : defaults.BatchSize ?? parse.GetValue(training.BatchSize),
            AugmentedViews: parse.GetValue(training.Views),
            Seed: parse.GetValue(training.Seed));
        var prompt = new PromptLayout(nCtx, ctxInit, parse.GetValue(o.Csc), PromptLayout.ParsePosition(parse.GetValue(o.Position)!));
        string? template = parse.GetValue(o.Template);
        return new RunSpec(
            Model: model, Dataset: datasetPath, DatasetFormat: parse.GetValue(reading.Format), Template: template,
            Vocab: parse.GetValue(models.Vocab), Shots: shots, Noise: saved?.Noise.ToString() ?? parse.GetValue(training.Noise)!,
            Loss: parse.GetValue(training.Loss)!, Seed: parse.GetValue(training.Seed),
            Train: train, Prompt: prompt, Device: parse.GetValue(models.Device)!, Threads: parse.GetValue(models.Threads),
            CacheDirectory: cacheDir, Learner: learner, Classes: parse.GetValue(o.Subsample))
        {
            Reading = reading.Read(parse, template),
            SplitFile = parse.GetValue(o.SplitFile) is { } f ? Path.GetFullPath(f) : null,
        };
    }
}
