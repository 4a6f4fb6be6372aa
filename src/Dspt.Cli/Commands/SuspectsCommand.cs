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
        var model = CommonOptions.Model(required: false);
        var vocab = CommonOptions.Vocab();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var dataset = new Option<string?>("--dataset", "-d") { Description = "dataset folder or file, as for dspt train" };
        var format = new Option<string?>("--format") { Description = $"dataset layout, default detected: {string.Join(", ", DatasetFormats.All)}" };
        var template = new Option<string?>("--template") { Description = "zero-shot template, default the dataset's" };
        var shots = new Option<string>("--shots", "-k") { Description = "training images per class drawn as dspt train does, or 'all'", DefaultValueFactory = _ => "16" };
        var noise = new Option<string>("--noise") { Description = "synthetic label noise added after the draw (its truth is then known): none, sym:R, asym:R, symflip:M, pairflip:M", DefaultValueFactory = _ => "none" };
        var loss = new Option<string>("--loss") { Description = $"loss or objective of the fold prompts: {string.Join(", ", TrainingObjectives.Names)}", DefaultValueFactory = _ => "dspt" };
        var folds = new Option<int>("--folds") { Description = "cross-fitting folds (stratified by given label)", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "seed of the draw, the noise, the folds and training", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int?>("--epochs") { Description = "epochs per fold, default the learner's (CoCoOp 10), else by shots as CoOp (200 for 8+ shots)" };
        var lr = new Option<double>("--lr") { Description = "learning rate (default the learner's, 0.002)", DefaultValueFactory = _ => 0.002 };
        var batch = new Option<int>("--batch-size") { Description = "batch size (default the learner's: 32, CoCoOp 1)", DefaultValueFactory = _ => 32 };
        var views = new Option<int>("--views") { Description = "augmented views per training image (0 = none)", DefaultValueFactory = _ => 8 };
        var nCtx = new Option<int>("--n-ctx") { Description = "learned context vectors (default the learner's: 16 for coop, 4 for cocoop/kgcoop)", DefaultValueFactory = _ => 16 };
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
        var output = new Option<string>("--out", "-o") { Description = "folder to write", Required = true };
        var cacheDir = new Option<string?>("--cache-dir") { Description = $"image feature cache, default {ImageFeatureCache.DefaultDirectory()}" };
        var noCache = new Option<bool>("--no-cache") { Description = "keep image features in memory only" };

        var command = new Command("suspects", "Rank the training labels most likely wrong (cross-fitted prompt scores, cleanlab's scores, confident learning, NLPrompt's OT) and write a review page")
        {
            model, vocab, dataset, format, template, shots, noise, loss, folds, seed, epochs, lr, batch, views, nCtx, learnerOption,
            run, truth, rankBy, references, k, pageItems, output, device, threads, cacheDir, noCache,
        };
        command.SetAction(parse =>
        {
            CommonOptions.ApplyThreads(parse, threads);
            var stderr = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            var ranking = SuspectScoring.RankingNamed(parse.GetValue(rankBy)!);
            string refs = parse.GetValue(references)!.ToLowerInvariant();
            if (refs is not ("all" or "zero-shot" or "none")) throw new InvalidInputException($"--references {refs}: expected all, zero-shot or none");
            int precisionK = parse.GetValue(k);
            if (precisionK < 1) throw new InvalidInputException($"--precision-k {precisionK}: expected at least 1");
            int page = parse.GetValue(pageItems);
            if (page < 0) throw new InvalidInputException($"--page-items {page}: expected 0 or more");
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            var dev = DeviceSelection.Parse(parse.GetValue(device)!);
            string? cache = parse.GetValue(noCache) ? null : Path.GetFullPath(parse.GetValue(cacheDir) ?? ImageFeatureCache.DefaultDirectory());
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
                modelPath = parse.GetValue(model) ?? manifest.Spec.Model;
                datasetAddress = manifest.Spec.Dataset;
                settings = new JsonObject { ["run"] = folder.Path, ["run_fingerprint"] = manifest.Fingerprint, ["loss"] = manifest.Spec.Loss, ["scoring"] = "in-sample" };
            }
            else
            {
                string datasetPath = parse.GetValue(dataset) ?? throw new InvalidInputException("give --dataset (or --run RUN to score a finished run)");
                modelPath = parse.GetValue(model) ?? throw new InvalidInputException("give --model (or --run RUN to score a finished run)");
                datasetAddress = Builtin.Addresses.Dataset(datasetPath);
                var data = DatasetReader.Read(datasetPath, parse.GetValue(format), new DatasetOptions { Template = parse.GetValue(template) }, w => stderr.WriteLine($"warning: {w}"));
                int shotCount = ParseShots(parse.GetValue(shots)!);
                split = FewShot.Draw(data, shotCount, NoiseSpec.Parse(parse.GetValue(noise)!), parse.GetValue(seed), w => stderr.WriteLine($"warning: {w}"));
                settings = new JsonObject { ["dataset"] = datasetAddress, ["shots"] = shotCount, ["noise"] = split.Noise.ToString(), ["scoring"] = "cross-fitted" };
            }
            var paths = split.Train.Select(i => i.Path).ToArray();
            var files = split.Train.Select(i => Path.Combine(split.Root, i.Path)).ToArray();
            var given = split.Train.Select(i => i.Label).ToArray();
            int[]? truthLabels = parse.GetValue(truth) is { } truthFile ? TruthFile.Read(truthFile, split.ClassNames, paths)
                : split.Noise.Type != NoiseSpec.None ? split.Train.Select(i => i.CleanLabel).ToArray() : null;

            // --run: the run's prompt with its model and tokenizer (the model's sha256 checked); else the model given.
            using var saved = parse.GetValue(run) is { } savedRun ? SavedPrompt.Open(savedRun, parse.GetValue(model), parse.GetValue(vocab), dev) : null;
            using var loaded = saved is null ? ClipLoading.Load(modelPath, ScalarType.Float32, dev) : null;
            var clip = saved?.Model ?? loaded!.Model;
            string modelSha256 = saved?.ModelSha256 ?? loaded!.Info.Sha256;
            var tokenizer = saved?.Tokenizer ?? ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(vocab), modelPath));
            var source = FeatureSources.For(datasetAddress, clip, modelSha256, new ImageFeatureCache(cache), dev, stderr.WriteLine);
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
                bool Given(Option o) => parse.GetResult(o) is System.CommandLine.Parsing.OptionResult { Implicit: false };
                string learnerName = parse.GetValue(learnerOption)!.Trim().ToLowerInvariant();
                var defaults = LearnerRegistry.Defaults(learnerName);
                var train = new TrainConfig(parse.GetValue(epochs) ?? defaults.Epochs ?? TrainConfig.EpochsForShots(shotCount > 0 ? shotCount : Math.Max(1, minClass)),
                    Given(lr) ? parse.GetValue(lr) : defaults.LearningRate, BatchSize: Given(batch) ? parse.GetValue(batch) : defaults.BatchSize ?? parse.GetValue(batch),
                    AugmentedViews: parse.GetValue(views), Seed: parse.GetValue(seed)).Validated();
                int nCtxValue = Given(nCtx) ? parse.GetValue(nCtx) : defaults.NCtx;
                if (nCtxValue < 1) throw new InvalidInputException($"--n-ctx {nCtxValue}: expected at least 1");
                string? ctxInit = Given(nCtx) ? null : defaults.CtxInit;
                string objective = TrainingObjectives.Create(parse.GetValue(loss)!).Name;
                var setup = new PromptSetup(clip, tokenizer, split.ClassNames, new PromptOptions(new PromptLayout(nCtxValue, ctxInit)), train, objective, parse.GetValue(seed), dev,
                    learnerName, split.Template);
                int foldCount = parse.GetValue(folds);
                foldOf = StratifiedFolds.Assign(given, foldCount, parse.GetValue(seed));
                using var views3 = source.TrainingViews(files, train.AugmentedViews, parse.GetValue(seed));
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
            WriteManifest(outDir, parse.GetValue(device)!, settings, split, modelSha256, modelPath, ranking.Name, parse.GetValue(seed), result);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"estimated noise {100 * result.Scored.EstimatedNoiseRate:F1} %, {result.Scored.EstimatedIssues} label issues of {paths.Length}; {outDir}/{SuspectsPage.FileName}"));
            if (result.TruthKnown) stdout.Write(SuspectsOutput.DetectionTable(result.Detection()));
            return 0;
        });
        return command;
    }

    static int ParseShots(string text) =>
        text.Equals("all", StringComparison.OrdinalIgnoreCase) ? 0
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1 ? k
        : throw new InvalidInputException($"--shots {text}: expected a number of shots per class (at least 1) or 'all'");

    /// <summary>Names the page's saved progress: another item list or labelling gets its own.</summary>
    static string ContentHashOf(IReadOnlyList<string> paths, IReadOnlyList<int> given) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join("\n", paths.Select((p, i) => $"{p}\t{given[i]}")))))[..16];

    static void WriteManifest(string dir, string device, JsonObject settings, FewShotSplit split, string modelSha256, string modelPath, string rankBy, int seed, SuspectsResult result)
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
