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

    public static Command Create()
    {
        var model = CommonOptions.Model(required: false);
        var vocab = CommonOptions.Vocab();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var dataset = new Option<string?>("--dataset", "-d") { Description = "dataset folder or file (CoOp layout, image folder, manifest ...; see 'dspt data')" };
        var reading = new DatasetReadingOptions();
        var format = reading.Format;
        var template = new Option<string?>("--template") { Description = "zero-shot template for the reference row, default the dataset's (e.g. \"a photo of a {}.\")" };
        var shots = new Option<int>("--shots", "-k") { Description = "training images per class", DefaultValueFactory = _ => 16 };
        var noise = new Option<string>("--noise") { Description = "label noise: none, sym:R, asym:R (R a fraction or %), symflip:M, pairflip:M", DefaultValueFactory = _ => "none" };
        var loss = new Option<string>("--loss") { Description = $"training loss: {string.Join(", ", TrainingObjectives.Names)}", DefaultValueFactory = _ => "dspt" };
        var seed = new Option<int>("--seed") { Description = "seed of the few-shot draw, the noise, the prompt init, shuffling and augmentation", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int?>("--epochs") { Description = "epochs, default by shots as CoOp: 16/8 -> 200, 4/2 -> 100, 1 -> 50" };
        var lr = new Option<double>("--lr") { Description = "learning rate after the warm-up epoch (cosine-annealed)", DefaultValueFactory = _ => 0.002 };
        var batch = new Option<int>("--batch-size") { Description = "batch size; the last incomplete batch is dropped", DefaultValueFactory = _ => 32 };
        var views = new Option<int>("--views") { Description = "augmented views (random resized crop + flip) encoded per training image, each epoch draws one; 0 = no augmentation", DefaultValueFactory = _ => 8 };
        var nCtx = new Option<int>("--n-ctx") { Description = "number of learned context vectors (default: the learner's, 16 for coop, 4 for cocoop/kgcoop)", DefaultValueFactory = _ => 16 };
        var learner = new Option<string>("--learner")
        {
            Description = $"prompt learner: {string.Join(", ", LearnerRegistry.Names)} (cocoop and kgcoop start from their configs: 4 vectors from \"a photo of a\"; cocoop batch 1, 10 epochs)",
            DefaultValueFactory = _ => "coop",
        };
        var classes = new Option<string>("--classes")
        {
            Description = "all, base or new: CoOp's subsample_classes (the first half of the sorted training labels is base); val/test filtered alike, noise on the training shots only",
            DefaultValueFactory = _ => "all",
        };
        var ctxInit = new Option<string?>("--ctx-init") { Description = "initialise the context from a phrase such as \"a photo of a\" (sets --n-ctx to its word count)" };
        var csc = new Option<bool>("--csc") { Description = "class-specific context (one set of vectors per class)" };
        var position = new Option<string>("--position") { Description = "class token position: end, middle, front", DefaultValueFactory = _ => "end" };
        var output = new Option<string?>("--output", "-o") { Description = "run folder to create" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder from its last complete epoch (settings come from its manifest.json)" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = $"image feature cache, default {ImageFeatureCache.DefaultDirectory()}" };
        var noCache = new Option<bool>("--no-cache") { Description = "keep image features in memory only" };
        var corrections = CommonOptions.Corrections();

        var command = new Command("train", "Train a prompt (CoOp recipe) on a few-shot, optionally noisy split; writes a run folder")
        {
            model, vocab, dataset, format, template, shots, noise, loss, seed, epochs, lr, batch, views,
            nCtx, ctxInit, csc, position, device, threads, output, resume, cacheDir, noCache, corrections,
        };
        foreach (var o in reading.Reading) command.Options.Add(o);
        command.Options.Add(learner);
        command.Options.Add(classes);
        Option[] specOptions = [model, vocab, dataset, format, template, shots, noise, loss, seed, epochs, lr, batch, views, nCtx, ctxInit, csc, position, output, corrections, learner, classes, .. reading.Reading];

        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string? cache = parse.GetValue(noCache) ? null : Path.GetFullPath(parse.GetValue(cacheDir) ?? ImageFeatureCache.DefaultDirectory());
            TrainingRun run;
            if (parse.GetValue(resume) is { } resumeDir)
            {
                var given = specOptions.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
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
                    Device = parse.GetResult(device) is { Implicit: false } ? parse.GetValue(device)! : spec.Device,
                    Threads = parse.GetValue(threads) ?? spec.Threads,
                    CacheDirectory = parse.GetResult(cacheDir) is { Implicit: false } || parse.GetValue(noCache) ? cache : spec.CacheDirectory,
                }, status: stderr.WriteLine, warn: w => stderr.WriteLine($"warning: {w}"));
                stderr.WriteLine($"resuming {run.Folder.Path}");
            }
            else
            {
                var spec = NewSpec(parse, reading);
                string output = parse.GetValue<string?>("--output") ?? throw new InvalidInputException("give --output DIR for a new run, or --resume DIR to continue one");
                // A folder whose run stopped before its first epoch may be used again (RunPipeline.Create replaces it).
                if (new RunFolder(output).HasStartedRun)
                    throw new InvalidInputException($"{Path.GetFullPath(output)} already holds a run (manifest.json); continue it with --resume {Path.GetFullPath(output)} or choose another --output");
                run = RunPipeline.Create(spec, output, warn: w => stderr.WriteLine($"warning: {w}"), status: stderr.WriteLine,
                    corrections: parse.GetValue(corrections));
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

    static RunSpec NewSpec(ParseResult parse, DatasetReadingOptions reading)
    {
        T Value<T>(string name) => parse.GetValue<T>(name)!;
        string Required(string name) => parse.GetValue<string?>(name) ?? throw new InvalidInputException($"{name} is required for a new run");
        int shots = Value<int>("--shots");
        if (shots < 1) throw new InvalidInputException($"--shots {shots}: expected at least 1");
        bool Given(string name) => parse.GetResult(name) is System.CommandLine.Parsing.OptionResult { Implicit: false };
        string learner = Value<string>("--learner").Trim().ToLowerInvariant();
        var defaults = LearnerRegistry.Defaults(learner);
        int nCtx = Given("--n-ctx") ? Value<int>("--n-ctx") : defaults.NCtx;
        string? ctxInit = Given("--ctx-init") || Given("--n-ctx") ? parse.GetValue<string?>("--ctx-init") : defaults.CtxInit;
        if (nCtx < 1) throw new InvalidInputException($"--n-ctx {nCtx}: expected at least 1");
        var train = new TrainConfig(
            Epochs: parse.GetValue<int?>("--epochs") ?? defaults.Epochs ?? TrainConfig.EpochsForShots(shots),
            LearningRate: Given("--lr") ? Value<double>("--lr") : defaults.LearningRate,
            BatchSize: Given("--batch-size") ? Value<int>("--batch-size") : defaults.BatchSize ?? Value<int>("--batch-size"),
            AugmentedViews: Value<int>("--views"),
            Seed: Value<int>("--seed"));
        var prompt = new PromptLayout(nCtx, ctxInit, Value<bool>("--csc"), PromptLayout.ParsePosition(Value<string>("--position")));
        string? template = parse.GetValue<string?>("--template");
        return new RunSpec(
            Model: Required("--model"), Dataset: Required("--dataset"), DatasetFormat: parse.GetValue<string?>("--format"), Template: template,
            Vocab: parse.GetValue<string?>("--vocab"), Shots: shots, Noise: Value<string>("--noise"), Loss: Value<string>("--loss"), Seed: Value<int>("--seed"),
            Train: train, Prompt: prompt, Device: Value<string>("--device"), Threads: parse.GetValue<int?>("--threads"),
            CacheDirectory: Value<bool>("--no-cache") ? null : parse.GetValue<string?>("--cache-dir") ?? ImageFeatureCache.DefaultDirectory(),
            Learner: learner, Classes: Value<string>("--classes"))
        {
            Reading = reading.Read(parse, template),
        };
    }
}
