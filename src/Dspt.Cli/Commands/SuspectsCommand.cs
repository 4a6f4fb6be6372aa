using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Features;
using Dspt.IO;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Suspects;
using Dspt.Text;
using Dspt.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

/// <summary>
/// dspt suspects: which training labels look wrong. Cross-fitted: the training items are split
/// into seeded folds stratified by given label, a prompt is trained on the other folds with the
/// chosen loss and scores the held-out fold, so no item is scored by a prompt that saw it; image
/// features are encoded once for all folds. --run RUN scores a finished run's items with its own
/// prompt instead (in sample, and labelled so). Writes suspects.csv, summary.md, suspects.html
/// (+ thumbs/), manifest.json, and with known truth detection.csv and pr-curves.png.
/// </summary>
public static class SuspectsCommand
{
    public const string FormatTag = "dspt-suspects-v1";

    public static Command Create()
    {
        var models = new ModelOptionSet(required: false, withDType: false);
        var dataset = CommonOptions.Dataset("dataset folder or file, as for dspt train", required: false);
        var reading = new DatasetOptionSet();
        var template = new Option<string?>("--template") { Description = "zero-shot template, default the dataset's" };
        var training = new TrainingOptionSet();
        training.Shots.Description = "training images per class drawn as dspt train does, or 'all'";
        training.Noise.Description = "synthetic label noise added after the draw (its truth is then known): none, sym:R, asym:R, symflip:M, pairflip:M";
        training.Seed.Description = "seed of the draw, the noise, the folds and training";
        training.Epochs.Description = "epochs per fold, default by shots as CoOp (200 for 8+ shots)";
        var folds = new Option<int>("--folds") { Description = "cross-fitting folds (stratified by given label)", DefaultValueFactory = _ => 5 };
        training.Epochs.Description = "epochs per fold, default the learner's (CoCoOp 10), else by shots as CoOp (200 for 8+ shots)";
        training.Lr.Description = "learning rate (default the learner's, 0.002)";
        training.BatchSize.Description = "batch size (default the learner's: 32, CoCoOp 1)";
        training.NCtx.Description = "learned context vectors (default the learner's: 16 for coop, 4 for cocoop/kgcoop)";
        var learnerOption = new Option<string>("--learner")
        {
            Description = $"prompt learner of the fold prompts: {string.Join(", ", LearnerRegistry.Names)} (each from its own config, as dspt train --learner)",
            DefaultValueFactory = _ => "coop",
        };
        var run = new Option<string?>("--run") { Description = "score the items of this finished dspt train run with its own prompt (in sample: cheap, and labelled as such)" };
        var truth = new Option<string?>("--truth") { Description = "true labels of the items, CSV path,label (class name), to measure detection quality" };
        var rankBy = new Option<string>("--rank-by") { Description = $"score that orders suspects.csv and the page: {string.Join(", ", SuspectScoring.Rankings.Select(r => r.Name))}", DefaultValueFactory = _ => "self_confidence" };
        var references = new Option<string>("--references") { Description = "reference scores beside the out-of-sample ones: all (zero-shot CLIP and in-sample CE), zero-shot, none", DefaultValueFactory = _ => "all" };
        var k = new Option<int>("--precision-k") { Description = "k of precision@k in the detection table", DefaultValueFactory = _ => 20 };
        var pageItems = new Option<int>("--page-items") { Description = "most suspicious items shown on suspects.html (thumbnails are written for these)", DefaultValueFactory = _ => 2000 };
        var output = CommonOptions.Out("folder to write", required: true);
        var cache = new CacheOptionSet();

        var command = new Command("suspects", "Rank the training labels most likely wrong (cross-fitted prompt scores, cleanlab's scores, confident learning, NLPrompt's OT) and write a review page");
        CommonOptions.AddAll(command, models.All, [dataset], reading.All, [template], training.All, [learnerOption, folds, run, truth, rankBy, references, k, pageItems, output], cache.All);
        command.SetAction(parse =>
        {
            models.ApplyThreads(parse);
            var stderr = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            var ranking = SuspectScoring.RankingNamed(parse.GetValue(rankBy)!);
            string refs = Choice.Of(parse, references, "all", "zero-shot", "none");
            int precisionK = parse.GetValue(k);
            if (precisionK < 1) throw new InvalidInputException($"--precision-k {precisionK}: expected at least 1");
            int page = parse.GetValue(pageItems);
            if (page < 0) throw new InvalidInputException($"--page-items {page}: expected 0 or more");
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            var dev = models.DeviceOf(parse);
            string? cacheDir = cache.Directory(parse);
            training.Validate(parse);
            var clock = Stopwatch.StartNew();
            using var interrupt = new Progress.InterruptSignal();
            var token = interrupt.Token;

            FewShotSplit split;
            string modelPath;
            JsonObject settings;
            string datasetAddress;
            if (parse.GetValue(run) is { } runDir)
            {
                var folder = new RunFolder(runDir);
                var manifest = folder.ReadManifest();
                if (!folder.IsComplete) throw new InvalidInputException($"{folder.Path}: the run is not finished (no final.json); finish it with dspt train --resume {folder.Path}");
                split = FewShotSplitFile.Load(folder.Split);
                modelPath = parse.GetValue(models.Model) ?? manifest.Spec.Model;
                datasetAddress = manifest.Spec.Dataset;
                settings = new JsonObject { ["run"] = folder.Path, ["run_fingerprint"] = manifest.Fingerprint, ["loss"] = manifest.Spec.Loss, ["scoring"] = "in-sample" };
            }
            else
            {
                string datasetPath = parse.GetValue(dataset) ?? throw new InvalidInputException("give --dataset (or --run RUN to score a finished run)");
                modelPath = parse.GetValue(models.Model) ?? throw new InvalidInputException("give --model (or --run RUN to score a finished run)");
                datasetAddress = Builtin.Addresses.Dataset(datasetPath);
                var data = reading.ReadDataset(parse, datasetPath, parse.GetValue(template), w => stderr.WriteLine($"warning: {w}"));
                int shotCount = training.ShotsOf(parse);
                split = FewShot.Draw(data, shotCount, NoiseSpec.Parse(parse.GetValue(training.Noise)!), parse.GetValue(training.Seed), w => stderr.WriteLine($"warning: {w}"));
                settings = new JsonObject { ["dataset"] = datasetAddress, ["shots"] = shotCount, ["noise"] = split.Noise.ToString(), ["scoring"] = "cross-fitted" };
            }
            var paths = split.Train.Select(i => i.Path).ToArray();
            var files = split.Train.Select(i => Path.Combine(split.Root, i.Path)).ToArray();
            var given = split.Train.Select(i => i.Label).ToArray();
            int[]? truthLabels = parse.GetValue(truth) is { } truthFile ? TruthFile.Read(truthFile, split.ClassNames, paths)
                : split.Noise.Type != NoiseSpec.None ? split.Train.Select(i => i.CleanLabel).ToArray() : null;

            // --run: the run's prompt with its model and tokenizer (the model's sha256 checked); else the model given.
            using var saved = parse.GetValue(run) is { } savedRun ? SavedPrompt.Open(savedRun, parse.GetValue(models.Model), parse.GetValue(models.Vocab), dev) : null;
            using var loaded = saved is null ? ClipLoading.Load(modelPath, ScalarType.Float32, dev) : null;
            var clip = saved?.Model ?? loaded!.Model;
            string modelSha256 = saved?.ModelSha256 ?? loaded!.Info.Sha256;
            var tokenizer = saved?.Tokenizer ?? ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(models.Vocab), modelPath));
            var source = FeatureSources.For(datasetAddress, clip, modelSha256, new ImageFeatureCache(cacheDir), dev, stderr.WriteLine);
            using var sourceLifetime = source as IDisposable;
            stderr.WriteLine($"suspects: {paths.Length} training items, {split.NumClasses} classes; encoding image features once for all folds");
            var stage = Stopwatch.StartNew();
            using var scoring = source.Encode(files);
            var timings = new JsonObject { ["load_and_encode"] = clock.Elapsed.TotalSeconds };
            double[][] probs;
            double[][]? zeroShot = refs == "none" ? null : PromptScorer.ZeroShot(clip, tokenizer, split.ClassNames, split.Template, scoring, dev);
            double[][]? inSample = null;
            int[] foldOf;
            bool outOfSample;
            if (saved is not null)
            {
                if (!saved.Info.ClassNames.SequenceEqual(split.ClassNames))
                    throw new InvalidInputException($"{saved.Source}: the prompt's classes differ from those of the run's split {FewShotSplit.FileName}");
                probs = PromptScorer.Saved(saved.Learner, scoring);
                foldOf = Enumerable.Repeat(-1, paths.Length).ToArray();
                outOfSample = false;
                stderr.WriteLine("scored in sample with the run's own prompt: it was trained on these labels");
            }
            else
            {
                int shotCount = (int)settings["shots"]!;
                int minClass = given.GroupBy(g => g).Min(g => g.Count());
                // As dspt train --learner: options given on the command line win, the learner's own config fills the rest.
                bool Given(Option o) => CommonOptions.Given(parse, o);
                string learnerName = parse.GetValue(learnerOption)!.Trim().ToLowerInvariant();
                var defaults = LearnerRegistry.Defaults(learnerName);
                var train = new TrainConfig(parse.GetValue(training.Epochs) ?? defaults.Epochs ?? TrainConfig.EpochsForShots(shotCount > 0 ? shotCount : Math.Max(1, minClass)),
                    Given(training.Lr) ? parse.GetValue(training.Lr) : defaults.LearningRate,
                    BatchSize: Given(training.BatchSize) ? parse.GetValue(training.BatchSize) : defaults.BatchSize ?? parse.GetValue(training.BatchSize),
                    AugmentedViews: parse.GetValue(training.Views), Seed: parse.GetValue(training.Seed)).Validated();
                int nCtxValue = Given(training.NCtx) ? parse.GetValue(training.NCtx) : defaults.NCtx;
                string? ctxInit = Given(training.NCtx) ? null : defaults.CtxInit;
                string objective = TrainingObjectives.Create(parse.GetValue(training.Loss)!).Name;
                var setup = new PromptSetup(clip, tokenizer, split.ClassNames, new PromptOptions(new PromptLayout(nCtxValue, ctxInit)), train, objective, parse.GetValue(training.Seed), dev,
                    learnerName, split.Template);
                int foldCount = parse.GetValue(folds);
                foldOf = StratifiedFolds.Assign(given, foldCount, parse.GetValue(training.Seed));
                using var views3 = source.TrainingViews(files, train.AugmentedViews, parse.GetValue(training.Seed));
                using var features = new CachedTrainingFeatures(views3, dev);
                stage.Restart();
                probs = PromptScorer.CrossFit(setup, features, scoring, given, foldOf,
                    (f, n, held) => stderr.WriteLine($"fold {f + 1}/{foldCount}: training {objective} on {n} items, scoring {held} held out"), cancellation: token);
                timings["cross_fit"] = stage.Elapsed.TotalSeconds;
                if (refs == "all")
                {
                    stage.Restart();
                    stderr.WriteLine($"reference: CE on all {paths.Length} items, scored in sample");
                    inSample = PromptScorer.InSample(setup, features, scoring, given, "ce", cancellation: token);
                    timings["in_sample_reference"] = stage.Elapsed.TotalSeconds;
                }
                outOfSample = true;
                settings["loss"] = objective;
                settings["folds"] = foldCount;
                settings["epochs"] = train.Epochs;
                settings["views"] = train.AugmentedViews;
                settings["lr"] = train.LearningRate;
                settings["batch_size"] = train.BatchSize;
                settings["n_ctx"] = nCtxValue;
                settings["learner"] = learnerName;
            }
            stage.Restart();
            var result = SuspectsAnalysis.Build(split.ClassNames, paths, given, truthLabels, foldOf, probs, zeroShot, inSample, ranking, outOfSample, precisionK);
            string title = $"Suspects: {split.DatasetName} ({(outOfSample ? "out of sample" : "in sample")})";
            var thumbs = FeatureSources.Thumbnails(datasetAddress, split.Root);
            SuspectsOutput.Write(outDir, result, title, $"{split.DatasetName}/{ContentHashOf(paths, given)}", thumbs, page);
            timings["scores_and_outputs"] = stage.Elapsed.TotalSeconds;
            timings["total"] = clock.Elapsed.TotalSeconds;
            settings["seconds"] = timings;
            WriteManifest(outDir, parse.GetValue(models.Device)!, ResolvedSettings.Of(parse), settings, split, modelSha256, modelPath, ranking.Name, parse.GetValue(training.Seed), result);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"estimated noise {100 * result.Scored.EstimatedNoiseRate:F1} %, {result.Scored.EstimatedIssues} label issues of {paths.Length}; {outDir}/{SuspectsPage.FileName}"));
            if (result.TruthKnown) stdout.Write(SuspectsOutput.DetectionTable(result.Detection()));
            return 0;
        });
        return command;
    }

    /// <summary>Names the page's saved progress: another item list or labelling gets its own.</summary>
    static string ContentHashOf(IReadOnlyList<string> paths, IReadOnlyList<int> given) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join("\n", paths.Select((p, i) => $"{p}\t{given[i]}")))))[..16];

    static void WriteManifest(string dir, string device, JsonObject invocation, JsonObject settings, FewShotSplit split, string modelSha256, string modelPath, string rankBy, int seed, SuspectsResult result)
    {
        var o = new JsonObject
        {
            ["format"] = FormatTag,
            ["model"] = Builtin.Addresses.Model(modelPath),
            ["model_sha256"] = modelSha256,
            ["dataset_name"] = split.DatasetName,
            ["classes"] = split.NumClasses,
            ["items"] = result.Items.Count,
            ["seed"] = seed,
            ["rank_by"] = rankBy,
            ["settings"] = settings,
            ["invocation"] = invocation,
            ["estimated_noise_rate"] = result.Scored.EstimatedNoiseRate,
            ["estimated_issues"] = result.Scored.EstimatedIssues,
            ["truth_known"] = result.TruthKnown,
            ["dspt_version"] = RunManifest.Version(typeof(InvalidInputException).Assembly),
            ["torch_sharp_version"] = RunManifest.Version(typeof(torch).Assembly),
            ["machine"] = JsonSerializer.SerializeToNode(MachineInfo.Current(device), RunManifest.Json),
            ["created_utc"] = DateTime.UtcNow,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "manifest.json"), o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
