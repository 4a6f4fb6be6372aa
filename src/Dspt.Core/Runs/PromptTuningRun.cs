using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Reporting;
using Dspt.Text;
using Dspt.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Runs;

/// <summary>
/// One run of `dspt train` in its folder: encode (or read cached) image features, train the
/// prompt with checkpoints after every epoch (continuing from the folder's checkpoint if there is
/// one), save the prompt, evaluate it and zero-shot CLIP on the test split, write final.json.
/// The caller has written manifest.json and the drawn split already.
/// </summary>
public sealed class PromptTuningRun(RunFolder folder, RunManifest manifest, ClipModel clip, ClipTokenizer tokenizer, Device device)
{
    /// <summary>Progress messages outside the training loop (feature encoding, evaluation).</summary>
    public Action<string>? Status { get; init; }

    public FinalResult Execute(TrainingData data, ImageFeatureCache cache, ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        var spec = manifest.Spec;
        var config = spec.Train;
        var extractor = new ImageFeatureExtractor(clip, manifest.ModelSha256, cache, device);
        int lastReported = -1;
        extractor.Progress = (done, total) =>
        {
            cancellation.ThrowIfCancellationRequested();
            int percent = 100 * done / total;
            if (percent / 10 == lastReported / 10 && done != total) return;
            lastReported = percent;
            Status?.Invoke($"encoding images: {done}/{total}");
        };

        Status?.Invoke($"image features: {data.TrainPaths.Count} training images x {Math.Max(1, config.AugmentedViews)} view(s), cache {cache.Directory ?? "in memory only"}");
        using var trainViews = extractor.TrainingViews(data.TrainPaths, config.AugmentedViews, spec.Seed);
        using var features = new CachedTrainingFeatures(trainViews, device);

        var options = new PromptOptions(spec.NCtx, spec.CtxInit, spec.ClassSpecific, PromptOptions.ParsePosition(spec.Position));
        using var learner = LearnerRegistry.Create(spec.LearnerName, new LearnerSetup(clip, tokenizer, data.ClassNames, options, data.Template, spec.Seed));
        if (device.type != DeviceType.CPU && learner is nn.Module module) module.to(device);
        var objective = TrainingObjectives.Create(spec.Loss);
        var trainer = new PromptTrainer(learner, config, objective, manifest.Fingerprint);

        using var resume = File.Exists(folder.Checkpoint) ? TrainingCheckpoint.Load(folder.Checkpoint) : null;
        if (resume is not null)
            Status?.Invoke($"resuming after epoch {resume.CompletedEpochs}/{config.Epochs} from {folder.Checkpoint}");
        var clock = Stopwatch.StartNew();
        var metrics = trainer.Train(features, data.TrainLabels, folder.Checkpoint, resume,
            new MetricsWriter(folder, progress), cancellation);
        folder.WriteMetrics(metrics);

        PromptFile.Save(folder.Path, learner, PromptFile.Describe(learner, manifest.ModelSha256, Provenance()));

        Status?.Invoke($"evaluating on {data.TestPaths.Count} test images");
        using var test = extractor.Encode(data.TestPaths, view: 0, augmentationSeed: 0);
        string name = spec.LearnerName == "coop" ? $"prompt ({spec.Loss})" : $"prompt ({learner.Kind}, {spec.Loss})";
        var (zeroShot, learned) = PromptEvaluation.Run(clip, tokenizer, learner, data.ClassNames, name, data.Template, test, data.TestLabels);
        EvaluationReport.Write(folder.Path, "test", [zeroShot, learned], PromptEvaluation.Note(data.Template));

        var noise = NoiseSpec.Parse(spec.Noise);
        var result = new FinalResult(objective.Name, noise.Type, NoiseRate(noise, spec.Shots), spec.Seed, learned.Accuracy, learned.MeanClassAccuracy,
            zeroShot.Accuracy, learned.Total, data.TrainPaths.Count, config.Epochs, metrics.Sum(m => m.Seconds));
        folder.WriteFinal(result);
        return result;
    }

    JsonObject Provenance() => new()
    {
        ["run_fingerprint"] = manifest.Fingerprint,
        ["spec"] = JsonSerializer.SerializeToNode(manifest.Spec.WithoutComputeSettings(), RunManifest.Json),
        ["data_sha256"] = manifest.DataSha256,
    };

    /// <summary>
    /// The noise as the results tables count it: the fraction of training labels made wrong,
    /// r for sym/asym, M/K for the PTNL flips (M wrong shots of K in every class).
    /// </summary>
    static double NoiseRate(NoiseSpec noise, int shots) => noise.IsFlip ? (double)noise.PerClass / shots : noise.Rate;

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
