using System.CommandLine;
using System.Globalization;
using Dspt.Cli.Progress;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Features;
using Dspt.IO;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Text;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

/// <summary>
/// dspt train: draws the few-shot split, trains a prompt with CoOp's recipe and the chosen loss,
/// and writes a run folder (manifest.json, fewshot.json, checkpoint.safetensors, metrics.jsonl,
/// prompt.safetensors + prompt.json, evaluation.*, final.json). --resume DIR continues an
/// interrupted run from its last complete epoch with the settings in its manifest.
/// Exit codes: 0 done, 2 bad input, 3 the loss diverged, 130 interrupted.
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
        var format = new Option<string?>("--format") { Description = $"dataset layout, default detected: {string.Join(", ", DatasetFormats.All)}" };
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

        var command = new Command("train", "Train a prompt (CoOp recipe) on a few-shot, optionally noisy split; writes a run folder")
        {
            model, vocab, dataset, format, template, shots, noise, loss, seed, epochs, lr, batch, views,
            nCtx, ctxInit, csc, position, device, threads, output, resume, cacheDir, noCache,
        };
        command.Options.Add(learner);
        command.Options.Add(classes);
        Option[] specOptions = [model, vocab, dataset, format, template, shots, noise, loss, seed, epochs, lr, batch, views, nCtx, ctxInit, csc, position, output, learner, classes];

        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string? cache = parse.GetValue(noCache) ? null : Path.GetFullPath(parse.GetValue(cacheDir) ?? ImageFeatureCache.DefaultDirectory());
            RunFolder folder;
            RunManifest manifest;
            FewShotSplit split;
            LoadedClip loaded;
            if (parse.GetValue(resume) is { } resumeDir)
            {
                var given = specOptions.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (given.Count > 0)
                    throw new InvalidInputException($"--resume takes the run's settings from {Path.Combine(resumeDir, "manifest.json")}; only --device, --threads, --cache-dir and --no-cache may be given with it, not {string.Join(", ", given)}");
                folder = new RunFolder(resumeDir);
                manifest = folder.ReadManifest();
                if (folder.IsComplete)
                {
                    stdout.WriteLine($"{folder.Path} is already complete: test accuracy {folder.ReadFinal().Accuracy:F2}%");
                    return 0;
                }
                manifest = manifest with
                {
                    Spec = manifest.Spec with
                    {
                        Device = parse.GetResult(device) is { Implicit: false } ? parse.GetValue(device)! : manifest.Spec.Device,
                        Threads = parse.GetValue(threads) ?? manifest.Spec.Threads,
                        CacheDirectory = parse.GetResult(cacheDir) is { Implicit: false } || parse.GetValue(noCache) ? cache : manifest.Spec.CacheDirectory,
                    },
                };
                ApplyThreads(manifest.Spec.Threads);
                var dev = DeviceSelection.Parse(manifest.Spec.Device);
                split = LoadSplit(folder, manifest);
                loaded = ClipLoading.Load(manifest.Spec.Model, ScalarType.Float32, dev);
                if (loaded.Info.Sha256 != manifest.ModelSha256)
                {
                    loaded.Dispose();
                    throw new InvalidInputException($"{manifest.Spec.Model}: sha256 {loaded.Info.Sha256} differs from the {manifest.ModelSha256} recorded in {folder.Manifest}; the model file changed, so the run cannot continue");
                }
                stderr.WriteLine($"resuming {folder.Path}");
            }
            else
            {
                var spec = NewSpec(parse);
                ApplyThreads(spec.Threads);
                var dev = DeviceSelection.Parse(spec.Device);
                folder = new RunFolder(parse.GetValue(output) ?? throw new InvalidInputException("give --output DIR for a new run, or --resume DIR to continue one"));
                if (folder.HasManifest)
                    throw new InvalidInputException($"{folder.Path} already holds a run (manifest.json); continue it with --resume {folder.Path} or choose another --output");
                var data = ClassSubset.Select(
                    DatasetReader.Read(spec.Dataset, spec.DatasetFormat, new DatasetOptions { Template = spec.Template }, w => stderr.WriteLine($"warning: {w}")),
                    ClassSubset.Parse(spec.ClassesName));
                split = FewShot.Draw(data, spec.Shots, NoiseSpec.Parse(spec.Noise), spec.Seed, w => stderr.WriteLine($"warning: {w}"));
                loaded = ClipLoading.Load(spec.Model, ScalarType.Float32, dev);
                ClipTokenizer.Resolve(spec.Vocab, spec.Model);   // fail before creating the folder
                Directory.CreateDirectory(folder.Path);
                FewShotSplitFile.Save(folder.Split, split);
                manifest = new RunManifest(spec, loaded.Info.Sha256, loaded.Model.Config.ToString(), ContentHash.OfFile(folder.Split),
                    RunManifest.Version(typeof(InvalidInputException).Assembly), RunManifest.Version(typeof(TorchSharp.torch).Assembly),
                    MachineInfo.Current(spec.Device), DateTime.UtcNow);
                folder.WriteManifest(manifest);
                stderr.WriteLine($"run folder {folder.Path}: {split.Train.Count} training images ({split.Report.Corrupted} with a wrong label), {split.Test.Count} test images, {split.NumClasses} classes");
            }
            using (loaded)
                return Train(folder, manifest, split, loaded.Model, stdout, stderr);
        });
        return command;
    }

    static int Train(RunFolder folder, RunManifest manifest, FewShotSplit split, ClipModel clip, TextWriter stdout, TextWriter stderr)
    {
        var spec = manifest.Spec;
        var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(spec.Vocab, spec.Model));
        var device = DeviceSelection.Parse(spec.Device);
        var data = new TrainingData(split.ClassNames, split.Template,
            [.. split.Train.Select(i => Path.Combine(split.Root, i.Path))], [.. split.Train.Select(i => (long)i.Label)],
            [.. split.Test.Select(i => Path.Combine(split.Root, i.Path))], [.. split.Test.Select(i => (long)i.Label)]);
        var run = new PromptTuningRun(folder, manifest, clip, tokenizer, device) { Status = stderr.WriteLine };
        using var interrupt = new InterruptSignal();
        try
        {
            var result = TrainingProgressDisplay.Run(stdout, progress =>
                run.Execute(data, new ImageFeatureCache(spec.CacheDirectory), progress, interrupt.Token));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test accuracy {result.Accuracy:F2}% (mean per class {result.MeanClassAccuracy:F2}%), zero-shot CLIP {result.ZeroShotAccuracy:F2}%; {folder.Path}"));
            return 0;
        }
        catch (OperationCanceledException)
        {
            int done = File.Exists(folder.Checkpoint)
                ? int.Parse(Safetensors.ReadHeader(folder.Checkpoint).Metadata["completed_epochs"], CultureInfo.InvariantCulture) : 0;
            stderr.WriteLine($"interrupted; {folder.Path} keeps the state after epoch {done}/{spec.Train.Epochs}. Continue with:");
            stderr.WriteLine($"  dspt train --resume {folder.Path}");
            return InterruptedExitCode;
        }
        catch (TrainingDivergedException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine($"{folder.Path} keeps the last complete epoch; this run cannot continue as is: start a new one with a lower --lr.");
            return DivergedExitCode;
        }
    }

    static RunSpec NewSpec(ParseResult parse)
    {
        T Value<T>(string name) => parse.GetValue<T>(name)!;
        string Required(string name) => parse.GetValue<string?>(name) ?? throw new InvalidInputException($"{name} is required for a new run");
        int shots = Value<int>("--shots");
        if (shots < 1) throw new InvalidInputException($"--shots {shots}: expected at least 1");
        bool Given(string name) => parse.GetResult(name) is System.CommandLine.Parsing.OptionResult { Implicit: false };
        string learner = Value<string>("--learner").Trim().ToLowerInvariant();
        var defaults = LearnerRegistry.Defaults(learner);
        string classes = ClassSubset.Name(ClassSubset.Parse(Value<string>("--classes")));
        var train = new TrainConfig(
            Epochs: parse.GetValue<int?>("--epochs") ?? defaults.Epochs ?? TrainConfig.EpochsForShots(shots),
            LearningRate: Given("--lr") ? Value<double>("--lr") : defaults.LearningRate,
            BatchSize: Given("--batch-size") ? Value<int>("--batch-size") : defaults.BatchSize ?? Value<int>("--batch-size"),
            AugmentedViews: Value<int>("--views"),
            Seed: Value<int>("--seed")).Validated();
        string lossName = TrainingObjectives.Create(Value<string>("--loss")).Name;
        var position = Value<string>("--position");
        PromptOptions.ParsePosition(position);
        int nCtx = Given("--n-ctx") ? Value<int>("--n-ctx") : defaults.NCtx;
        string? ctxInit = Given("--ctx-init") || Given("--n-ctx") ? parse.GetValue<string?>("--ctx-init") : defaults.CtxInit;
        if (nCtx < 1) throw new InvalidInputException($"--n-ctx {nCtx}: expected at least 1");
        string noise = NoiseSpec.Parse(Value<string>("--noise")).ToString();
        string model = Required("--model");
        string? vocab = parse.GetValue<string?>("--vocab");
        return new RunSpec(
            Model: Path.GetFullPath(model), Dataset: Path.GetFullPath(Required("--dataset")), DatasetFormat: parse.GetValue<string?>("--format"), Template: parse.GetValue<string?>("--template"),
            Vocab: vocab is null ? null : Path.GetFullPath(vocab), Shots: shots, Noise: noise, Loss: lossName, Seed: Value<int>("--seed"),
            Train: train, NCtx: nCtx, CtxInit: ctxInit, ClassSpecific: Value<bool>("--csc"), Position: position.ToLowerInvariant(),
            Device: Value<string>("--device"), Threads: parse.GetValue<int?>("--threads"),
            CacheDirectory: Value<bool>("--no-cache") ? null : Path.GetFullPath(parse.GetValue<string?>("--cache-dir") ?? ImageFeatureCache.DefaultDirectory()),
            Learner: learner == "coop" ? null : learner, Classes: classes == "all" ? null : classes);
    }

    static FewShotSplit LoadSplit(RunFolder folder, RunManifest manifest)
    {
        string hash = ContentHash.OfFile(folder.Split);
        if (hash != manifest.DataSha256)
            throw new InvalidInputException($"{folder.Split}: sha256 {hash} differs from the {manifest.DataSha256} recorded in {folder.Manifest}; the split file was changed, so the run cannot continue");
        return FewShotSplitFile.Load(folder.Split);
    }

    static void ApplyThreads(int? threads)
    {
        if (threads is not int t) return;
        if (t < 1) throw new InvalidInputException($"--threads {t}: expected a positive number");
        TorchSharp.torch.set_num_threads(t);
    }
}
