using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Reporting;
using Dspt.Text;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Runs;

/// <summary>
/// A run in its folder, made by <see cref="RunPipeline.Create"/> or <see cref="RunPipeline.Resume"/>
/// (manifest.json and the drawn split are written). <see cref="Execute"/> encodes (or reads
/// cached) image features, trains the prompt with checkpoints after every epoch (continuing from
/// the folder's checkpoint if there is one), saves the prompt, evaluates it and zero-shot CLIP on
/// the test split (evaluation.*; predictions.csv also for the training shots) and writes final.json. The run holds its folder's <see cref="RunLock"/> until
/// it is disposed.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    readonly LoadedClip model;
    readonly bool ownsModel;
    readonly RunLock folderLock;

    internal TrainingRun(RunFolder folder, RunManifest manifest, FewShotSplit split, LoadedClip model, bool ownsModel,
        ClipTokenizer tokenizer, ImageFeatureCache features, RunLock folderLock)
    {
        this.folderLock = folderLock;
        Folder = folder;
        Manifest = manifest;
        Split = split;
        this.model = model;
        this.ownsModel = ownsModel;
        Tokenizer = tokenizer;
        Features = features;
    }

    public RunFolder Folder { get; }
    public RunManifest Manifest { get; }
    public FewShotSplit Split { get; }
    public ClipModel Model => model.Model;
    public ClipTokenizer Tokenizer { get; }
    public ImageFeatureCache Features { get; }

    /// <summary>Progress messages outside the training loop (feature encoding, evaluation).</summary>
    public Action<string>? Status { get; set; }

    /// <summary>Where the image features come from; null: the files through <see cref="Features"/>, or the world's splits for a built-in dataset.</summary>
    public IImageFeatureSource? Images { get; init; }

    /// <summary>
    /// False: no checkpoint after every epoch and metrics.jsonl written once at the end, for short
    /// runs that are never resumed (the demo); an interrupted run then starts over.
    /// </summary>
    public bool Checkpoints { get; set; } = true;

    /// <summary>Epochs the folder's checkpoint holds (0 without one).</summary>
    public int CompletedEpochs => File.Exists(Folder.Checkpoint)
        ? int.Parse(Safetensors.ReadHeader(Folder.Checkpoint).Metadata["completed_epochs"], CultureInfo.InvariantCulture) : 0;

    public FinalResult Execute(ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        var spec = Manifest.Spec;
        var config = spec.Train;
        var device = DeviceSelection.Parse(spec.Device);
        var data = Split;
        string[] trainPaths = [.. data.Train.Select(i => Path.Combine(data.Root, i.Path))];
        string[] testPaths = [.. data.Test.Select(i => Path.Combine(data.Root, i.Path))];
        var source = Images ?? OwnSource(device, cancellation);
        using var owned = Images is null ? source as IDisposable : null;   // a shared source belongs to the caller
        using var trainViews = source.TrainingViews(trainPaths, config.AugmentedViews, spec.Seed);
        using var features = new CachedTrainingFeatures(trainViews, device);

        using var learner = PromptTraining.CreateLearner(Model, Tokenizer, data.ClassNames, new PromptOptions(spec.Prompt), spec.Seed, device,
            spec.LearnerName, data.Template);
        using var resume = Checkpoints && File.Exists(Folder.Checkpoint) ? TrainingCheckpoint.Load(Folder.Checkpoint) : null;
        if (resume is not null)
            Status?.Invoke($"resuming after epoch {resume.CompletedEpochs}/{config.Epochs} from {Folder.Checkpoint}");
        using var curves = new EpochCurves(learner, source, data, spec.EvalTestEvery ?? 0);
        var (objective, metrics) = PromptTraining.Train(learner, config, spec.Loss, Manifest.Fingerprint, features,
            [.. data.Train.Select(i => (long)i.Label)], Checkpoints ? Folder.Checkpoint : null, resume,
            Checkpoints ? new MetricsWriter(Folder, progress) : progress, cancellation, curves.Observe);
        Folder.WriteMetrics(metrics);

        PromptFile.Save(Folder.Path, learner, PromptFile.Describe(learner, Manifest.ModelSha256, Provenance()) with { ModelTensorsSha256 = Manifest.ModelTensorsSha256 });

        Status?.Invoke($"evaluating on {testPaths.Length} test images");
        using var test = source.Encode(testPaths);
        string name = spec.LearnerName == "coop" ? $"prompt ({spec.Loss})" : $"prompt ({learner.Kind}, {spec.Loss})";
        var (zeroShot, learned, logits) = PromptEvaluation.Score(Model, Tokenizer, learner, data.ClassNames, name, data.Template, test,
            [.. data.Test.Select(i => (long)i.Label)]);
        using (logits)
        {
            // The training shots too, on the test view (as EpochCurves scores the mislabeled ones): which given labels the prompt disagrees with.
            using var shots = source.Encode(trainPaths);
            using var shotLogits = PromptEvaluation.LearnedLogits(learner, shots);
            bool cleanKnown = !data.Noise.Equals(NoiseSpec.Clean) || Builtin.BuiltinDataset.Is(spec.Dataset);
            Predictions.Write(Folder.Path, [("train", Predictions.ForShots(shotLogits, data.Train, cleanKnown)),
                ("test", Predictions.ForItems(logits, data.Test, spec.Dataset))], data.ClassNames);
        }
        EvaluationReport.Write(Folder.Path, "test", [zeroShot, learned], PromptEvaluation.Note(data.Template));
        var newClasses = NewClassEvaluation.Run(Folder, spec, data, Model, Manifest.ModelSha256, Tokenizer, source, (zeroShot, learned), name, Status);

        var noise = NoiseSpec.Parse(spec.Noise);
        var result = new FinalResult(objective, noise.Type, NoiseRate(noise, spec.Shots, Split.Report.Rate), spec.Seed, learned.Accuracy, learned.MeanClassAccuracy,
            zeroShot.Accuracy, learned.Total, trainPaths.Length, config.Epochs, metrics.Sum(m => m.Seconds))
        {
            Dataset = spec.Dataset,
            DatasetName = spec.Sweep?.DatasetName,
            Model = spec.Model,
            ModelName = spec.Sweep?.ModelName,
            ModelSha256 = Manifest.ModelSha256,
            Shots = spec.Shots,
            Noise = spec.Noise,
            Loss = spec.Loss,
            MethodName = spec.Sweep?.MethodName,
            RunId = spec.Sweep?.RunId,
            PlanName = spec.Sweep?.PlanName,
            PlanHash = spec.Sweep?.PlanHash,
            Select = spec.Select ?? "last",
            SelectedEpoch = config.Epochs,
            Learner = spec.Learner,
            Classes = spec.Classes,
            NewAccuracy = newClasses?.Learned.Accuracy,
            ZeroShotNewAccuracy = newClasses?.ZeroShot.Accuracy,
            HarmonicMean = newClasses is { } nc ? BaseToNew.HarmonicMean(learned.Accuracy, nc.Learned.Accuracy) : null,
        };
        Folder.WriteFinal(result);
        return result;
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
        folderLock.Dispose();
    }

    /// <summary>This run's own source: the built-in world's rendered splits, or the files through the feature cache.</summary>
    IImageFeatureSource OwnSource(Device device, CancellationToken cancellation)
    {
        var spec = Manifest.Spec;
        if (Builtin.BuiltinDataset.Is(spec.Dataset))
            return new WorldFeatureSource(Model, Manifest.ModelSha256, Builtin.BuiltinDataset.Parse(spec.Dataset), spec.CacheDirectory) { Status = Status };
        // The images are checked against the root again as they are opened: the dataset was read
        // (and on resume, the split written) long before, and a file may have been swapped since.
        var extractor = new ImageFeatureExtractor(Model, Manifest.ModelSha256, Features, device) { Root = new DatasetRoot(Split.Root) };
        int lastReported = -1;
        extractor.Progress = (done, total) =>
        {
            cancellation.ThrowIfCancellationRequested();
            int percent = 100 * done / total;
            if (percent / 10 == lastReported / 10 && done != total) return;
            lastReported = percent;
            Status?.Invoke($"encoding images: {done}/{total}");
        };
        Status?.Invoke($"image features: {Split.Train.Count} training images x {Math.Max(1, spec.Train.AugmentedViews)} view(s), cache {Features.Directory ?? "in memory only"}");
        return new FileFeatureSource(extractor);
    }

    JsonObject Provenance() => new()
    {
        ["run_fingerprint"] = Manifest.Fingerprint,
        ["spec"] = JsonSerializer.SerializeToNode(Manifest.Spec.WithoutComputeSettings(), RunManifest.Json),
        ["data_sha256"] = Manifest.DataSha256,
    };

    /// <summary>
    /// The noise as the results tables count it: the fraction of training labels made wrong,
    /// r for sym/asym, M/K for the PTNL flips (M wrong shots of K in every class).
    /// </summary>
    // Flip noise flips M of K labels per class; with all images (K = 0) K differs by class, so the realised rate is the rate.
    static double NoiseRate(NoiseSpec noise, int shots, double realised) => !noise.IsFlip ? noise.Rate : shots > 0 ? (double)noise.PerClass / shots : realised;

    /// <summary>Keeps metrics.jsonl in step with the checkpoint, then forwards to the display.</summary>
    sealed class MetricsWriter(RunFolder folder, ITrainingProgress? inner) : ITrainingProgress
    {
        public void Step(StepProgress step) => inner?.Step(step);

        public void EpochCompleted(EpochMetrics metrics, IReadOnlyList<EpochMetrics> all)
        {
            folder.WriteMetrics(all);
            inner?.EpochCompleted(metrics, all);
        }
    }
}
