using System.Diagnostics;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.Losses;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Reporting;
using Dspt.Runs;
using Dspt.Text;
using Dspt.Training;
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
/// The built-in demo: the bundled world CLIP, its main task, and CoOp prompt tuning with each loss
/// under each noise setting and seed, all through the same PromptLearner, PromptTrainer, losses,
/// few-shot sampler and noise rules a user runs on real data. Image features are computed once
/// (no augmentation: the report says so) and shared by every run.
/// </summary>
public sealed class DemoRunner(DemoOptions options, IDemoProgress? progress = null)
{
    public DemoResult Run(string modelFolder, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        string weights = Path.Combine(modelFolder, DemoModel.WeightsFile);
        progress?.Stage($"loading {weights}");
        using var loaded = ClipLoading.Load(weights);
        var model = loaded.Model;
        var tokenizer = ClipTokenizer.Load(Path.Combine(modelFolder, DemoModel.VocabFile));

        int trainPerClass = Math.Max(32, options.Shots);
        var task = WorldTask.ByName(options.Task, options.WorldSeed, WorldDefaults.DownstreamSpec(options.ShiftedStyle, options.ShiftedFraction),
            new WorldSplitSizes(TrainPerClass: trainPerClass, ValPerClass: 4, TestPerClass: options.TestPerClass));
        var dataset = new Dataset($"world-{task.Name}", WorldTask.Root, task.ClassNames, task.Template,
            ToItems(task.Train), ToItems(task.Val), ToItems(task.Test)) { Format = "world" };

        progress?.Stage($"rendering and encoding {task.Train.Count + task.Test.Count} images");
        var (trainFeatures, trainIndex) = Encode(model, task, task.Train);
        var (testFeatures, _) = Encode(model, task, task.Test);
        using var __ = trainFeatures;
        using var ___ = testFeatures;
        long[] testLabels = [.. task.Test.Select(t => (long)t.Label)];

        progress?.Stage("zero-shot and linear probe");
        using var zeroShotText = CoOpPrompts.ZeroShotFeatures(model, tokenizer, dataset.ClassNames, dataset.Template);
        double zeroShot;
        using (var zeroShotLogits = model.Logits(testFeatures, zeroShotText)) zeroShot = TopOne.Percent(zeroShotLogits, testLabels);
        var clean = FewShot.Draw(dataset, options.Shots, NoiseSpec.Clean, options.Seeds[0]);
        using var cleanFeatures = Gather(trainFeatures, trainIndex, clean.Train.Select(i => i.Path));
        double probe = LinearProbe.Accuracy(cleanFeatures, [.. clean.Train.Select(i => (long)i.Label)], testFeatures, testLabels, dataset.NumClasses);

        var runs = new List<RunResult>();
        int total = options.Noise.Count * options.Seeds.Count * options.Losses.Count * options.Learners.Count, done = 0;
        foreach (var noiseText in options.Noise)
        {
            var noise = NoiseSpec.Parse(noiseText);
            foreach (int seed in options.Seeds)
            {
                var split = FewShot.Draw(dataset, options.Shots, noise, seed);
                using var gathered = Gather(trainFeatures, trainIndex, split.Train.Select(i => i.Path));
                using var features = new CachedTrainingFeatures(gathered);
                long[] labels = [.. split.Train.Select(i => (long)i.Label)];
                foreach (var learnerName in options.Learners)
                foreach (var lossName in options.Losses)
                {
                    cancel.ThrowIfCancellationRequested();
                    double accuracy = TrainAndEvaluate(model, tokenizer, dataset, features, labels, learnerName, lossName, seed, testFeatures, testLabels, cancel);
                    // CoOp keeps the plain loss name, so the default demo's results are named as before.
                    string method = learnerName == "coop" ? DisplayName(lossName) : $"{LearnerDisplayName(learnerName)} {DisplayName(lossName)}";
                    var result = new RunResult(method, noise.Type, noise.Type == NoiseSpec.None ? 0 : noise.Rate, seed, accuracy);
                    runs.Add(result);
                    progress?.RunFinished(++done, total, result);
                }
            }
        }

        progress?.Stage("per-sample gradients");
        // The picture uses the symmetric rate closest to 50 % among those run (50 % when none is).
        var gradientNoise = options.Noise.Select(NoiseSpec.Parse).Where(n => n.Type == NoiseSpec.Sym).MinBy(n => Math.Abs(n.Rate - 0.5))
                            ?? NoiseSpec.Parse("sym:0.5");
        var gradSplit = FewShot.Draw(dataset, options.Shots, gradientNoise, options.Seeds[0]);
        using var gradFeatures = Gather(trainFeatures, trainIndex, gradSplit.Train.Select(i => i.Path));
        var gradients = new List<(string, IReadOnlyList<SampleGradient>)>();
        using (var logits = model.Logits(gradFeatures, zeroShotText))
            foreach (var lossName in new[] { "ce", "dspt" })
                gradients.Add((DisplayName(lossName), PerSampleGradients(logits, gradSplit.Train, LossRegistry.Create(lossName))));

        return new DemoResult(options, weights, loaded.Info.Sha256, model.Config.ToString(), task.Name, dataset.NumClasses,
            task.Test.Count, zeroShot, probe, runs, gradients,
            $"{gradientNoise.Type} {gradientNoise.Rate:P0} noise, seed {options.Seeds[0]}, logits of the zero-shot prompt", clock.Elapsed.TotalSeconds);
    }

    public static string DisplayName(string loss) => loss.ToLowerInvariant() switch
    {
        "ce" => "CE",
        "dspt" => "DSPT",
        "gce" => "GCE",
        "mae" => "MAE",
        "nlprompt" => "NLPrompt",
        var other => other.ToUpperInvariant(),
    };

    public static string LearnerDisplayName(string learner) => LearnerRegistry.Kind(learner) switch
    {
        "cocoop" => "CoCoOp",
        "kgcoop" => "KgCoOp",
        _ => "CoOp",
    };

    /// <summary>
    /// CoOp with the demo's settings; CoCoOp and KgCoOp with their own context (4 vectors from
    /// "a photo of a"), CoCoOp also with its batch 1 and 10 epochs.
    /// </summary>
    double TrainAndEvaluate(ClipModel model, ClipTokenizer tokenizer, Dataset dataset, CachedTrainingFeatures features, long[] labels,
        string learnerName, string lossName, int seed, Tensor testFeatures, long[] testLabels, CancellationToken cancel)
    {
        var defaults = LearnerRegistry.Defaults(learnerName);
        var layout = learnerName == "coop" ? new PromptLayout() : new PromptLayout(defaults.NCtx, defaults.CtxInit);
        using var learner = PromptTraining.CreateLearner(model, tokenizer, dataset.ClassNames, new PromptOptions(layout), seed,
            learner: learnerName, template: dataset.Template);
        var config = new TrainConfig(Epochs: defaults.Epochs ?? options.EpochsFor(lossName), LearningRate: options.LearningRateFor(lossName),
            BatchSize: defaults.BatchSize ?? 32, Seed: seed);
        PromptTraining.Train(learner, config, lossName, "demo", features, labels, cancellation: cancel);
        using var _ = no_grad();
        using var logits = learner.Forward(testFeatures).Logits;
        return TopOne.Percent(logits, testLabels);
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

    static (Tensor Features, Dictionary<string, int> Index) Encode(ClipModel model, WorldTask task, IReadOnlyList<(string Path, int Label)> items)
    {
        using var _ = inference_mode();
        var parts = new List<Tensor>();
        foreach (var chunk in items.Chunk(256))
        {
            var rendered = new byte[chunk.Length][];
            Parallel.For(0, chunk.Length, i => rendered[i] = task.Render(chunk[i].Path));
            using var images = WorldImages.ToClipTensor(rendered);
            parts.Add(model.EncodeImage(images));
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        // Inference tensors cannot enter autograd later; a plain copy can.
        var features = all.clone();
        all.Dispose();
        return (features, items.Select((it, i) => (it.Path, i)).ToDictionary(x => x.Path, x => x.i));
    }

    static Tensor Gather(Tensor features, Dictionary<string, int> index, IEnumerable<string> paths)
    {
        long[] rows = [.. paths.Select(p => (long)index[p])];
        using var idx = tensor(rows);
        return features.index_select(0, idx);
    }

    static List<DataItem> ToItems(IReadOnlyList<(string Path, int Label)> items) => [.. items.Select(i => new DataItem(i.Path, i.Label))];
}
