using Dspt.Features;
using Dspt.Losses;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Tests.Training;

public class PromptTrainerTests
{
    static TrainConfig Config(int epochs = 4) => new(epochs, BatchSize: 8, Seed: 3);

    static PromptTrainer Trainer(TrainablePrompt prompt, TrainConfig config, string loss = "ce", string fingerprint = "fp") =>
        new(prompt, config, TrainingObjectives.Create(loss), fingerprint);

    static byte[] Bytes(Tensor t) => t.detach().cpu().contiguous().bytes.ToArray();

    [Fact]
    public void SameSeedSameBitsOtherSeedOtherResult()
    {
        using var task = SyntheticTask.Create(views: 3);
        byte[] Run(long seed)
        {
            var prompt = task.NewPrompt();
            using var features = new CachedTrainingFeatures(task.Features);
            Trainer(prompt, Config() with { Seed = seed, AugmentedViews = 3 }).Train(features, task.Labels);
            return Bytes(prompt.Context);
        }
        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    /// <summary>
    /// The trainer's updates against a float64 re-implementation written from PyTorch's SGD docs
    /// (weight decay added to the gradient, momentum buffer = first gradient, then
    /// m * buf + grad, no dampening/nesterov), Dassl's per-epoch lr and the same seeded batches
    /// and views. A large lr makes every ingredient visible. float32 vs float64 over 4 epochs x
    /// 5 steps differs by 2.6e-7 and 4.6e-7 of max |ctx| (a few float32 epsilons), so the bound
    /// is 1e-5 relative; dropping the weight decay moves the result by 0.16 and 0.96 relative,
    /// a wrong lr epoch or momentum rule by comparable amounts.
    /// </summary>
    [Theory]
    [InlineData(5e-4, 1e-5)]
    [InlineData(0.5, 1e-5)]
    public void UpdatesMatchAFloat64SgdReference(double weightDecay, double relativeTolerance)
    {
        using var task = SyntheticTask.Create(n: 43, views: 2);
        var config = Config() with { WeightDecay = weightDecay, AugmentedViews = 2, LearningRate = 0.5, WarmupLearningRate = 0.05 };
        var prompt = task.NewPrompt();
        using var reference = prompt.Context.detach().to(ScalarType.Float64).clone();
        using (var features = new CachedTrainingFeatures(task.Features))
            Trainer(prompt, config).Train(features, task.Labels);

        using var x64 = task.Features.to(ScalarType.Float64);
        using var labels = tensor(task.Labels);
        Tensor? buffer = null;
        for (int epoch = 0; epoch < config.Epochs; epoch++)
        {
            double lr = epoch == 0 ? 0.05 : 0.25 * (1 + Math.Cos(Math.PI * (epoch - 1) / config.Epochs));
            var viewRandom = SeedStreams.Named(config.Seed, "views", epoch);
            var views = Enumerable.Range(0, task.Labels.Length).Select(_ => (long)viewRandom.Next(2)).ToArray();
            var order = SeedStreams.Permutation(task.Labels.Length, SeedStreams.Named(config.Seed, "shuffle", epoch));
            foreach (var batch in order.Chunk(8).Where(b => b.Length == 8))
            {
                using var scope = NewDisposeScope();
                var rows = tensor(batch.Select(i => (long)i).ToArray());
                var x = x64[rows, tensor(batch.Select(i => views[i]).ToArray())];
                var w = reference.detach().requires_grad_(true);
                var logits = SyntheticTask.CosineLogits(x, w);
                var loss = -logits.log_softmax(1).gather(1, labels[rows].unsqueeze(1)).mean();
                loss.backward();
                var grad = w.grad!.detach() + weightDecay * reference;
                buffer = buffer is null ? grad.clone().DetachFromDisposeScope() : (0.9 * buffer + grad).DetachFromDisposeScope();
                reference.sub_(lr * buffer);
            }
        }
        var diff = TensorAssert.MaxAbsDiff(prompt.Context.detach(), reference);
        var scale = reference.abs().max().item<double>();
        Assert.True(diff < relativeTolerance * scale, $"max |trainer - float64 SGD| = {diff:E3}, max |reference| = {scale:E3}");
        // The run moved far from its start, so agreement is not trivial.
        Assert.True(TensorAssert.MaxAbsDiff(reference, task.NewPrompt().Context.detach()) > 0.1);
    }

    sealed class CancelAt(int epoch, int step, CancellationTokenSource source) : ITrainingProgress
    {
        public void Step(StepProgress s) { if (s.Epoch == epoch && s.Step == step) source.Cancel(); }
        public void EpochCompleted(EpochMetrics m, IReadOnlyList<EpochMetrics> all) { }
    }

    /// <summary>NLPrompt plans each epoch from the prompt's own scores: a resumed run must re-plan identically.</summary>
    [Theory]
    [InlineData("ce")]
    [InlineData("nlprompt")]
    [Trait("Category", "Slow")]
    public void ResumingAfterACancelMidEpochGivesTheUninterruptedBits(string loss)
    {
        using var task = SyntheticTask.Create(views: 3);
        using var dir = Repo.Temp();
        var config = Config(5) with { AugmentedViews = 3 };

        var full = task.NewPrompt();
        IReadOnlyList<EpochMetrics> fullMetrics;
        using (var features = new CachedTrainingFeatures(task.Features))
            fullMetrics = Trainer(full, config, loss).Train(features, task.Labels, dir["full.safetensors"]);

        var interrupted = task.NewPrompt();
        using var cts = new CancellationTokenSource();
        using (var features = new CachedTrainingFeatures(task.Features))
            Assert.ThrowsAny<OperationCanceledException>(() => Trainer(interrupted, config, loss)
                .Train(features, task.Labels, dir["ckpt.safetensors"], progress: new CancelAt(3, 2, cts), cancellation: cts.Token));

        IReadOnlyList<EpochMetrics> resumedMetrics;
        var resumed = task.NewPrompt(seed: 99);   // a different init: everything must come from the checkpoint
        using (var checkpoint = TrainingCheckpoint.Load(dir["ckpt.safetensors"]))
        using (var features = new CachedTrainingFeatures(task.Features))
        {
            Assert.Equal(2, checkpoint.CompletedEpochs);
            Assert.NotNull(checkpoint.MomentumBuffer);
            resumedMetrics = Trainer(resumed, config, loss).Train(features, task.Labels, dir["ckpt.safetensors"], checkpoint);
        }
        Assert.Equal(Bytes(full.Context), Bytes(resumed.Context));
        using var a = TrainingCheckpoint.Load(dir["full.safetensors"]);
        using var b = TrainingCheckpoint.Load(dir["ckpt.safetensors"]);
        Assert.Equal(Bytes(a.MomentumBuffer!), Bytes(b.MomentumBuffer!));
        Assert.Equal(5, b.CompletedEpochs);
        Assert.Equal(fullMetrics.Select(m => m with { Seconds = 0 }), resumedMetrics.Select(m => m with { Seconds = 0 }));
    }

    [Fact]
    public void RefusesACheckpointOfOtherSettings()
    {
        using var task = SyntheticTask.Create();
        using var dir = Repo.Temp();
        using (var features = new CachedTrainingFeatures(task.Features))
            Trainer(task.NewPrompt(), Config(1)).Train(features, task.Labels, dir["c.safetensors"]);
        using var checkpoint = TrainingCheckpoint.Load(dir["c.safetensors"]);
        using var f = new CachedTrainingFeatures(task.Features);
        var e = Assert.Throws<InvalidInputException>(() => Trainer(task.NewPrompt(), Config(1), fingerprint: "other").Train(f, task.Labels, resume: checkpoint));
        Assert.Contains("different settings", e.Message);
    }

    /// <summary>A NaN feature makes the loss of the batch holding it NaN in epoch 2.</summary>
    [Fact]
    public void StopsOnANonFiniteLossNamingEpochStepAndLr()
    {
        using var task = SyntheticTask.Create();
        using var dir = Repo.Temp();
        var prompt = task.NewPrompt();
        int calls = 0;
        var poisoned = prompt with { Logits = x => ++calls == 7 ? prompt.Logits(x) * double.NaN : prompt.Logits(x) };
        using var features = new CachedTrainingFeatures(task.Features);
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer(poisoned, Config()).Train(features, task.Labels, dir["c.safetensors"]));
        Assert.Contains("epoch 2/4, step 2/5", e.Message);
        Assert.Contains("NaN", e.Message);
        Assert.Contains("lower learning rate", e.Message);
        using var checkpoint = TrainingCheckpoint.Load(dir["c.safetensors"]);
        Assert.Equal(1, checkpoint.CompletedEpochs);
    }

    [Fact]
    public void AHugeLearningRateIsReportedNotSilentlyTrained()
    {
        using var task = SyntheticTask.Create();
        var prompt = task.NewPrompt();
        // Unnormalised logits so that a huge step overflows float32.
        var linear = prompt with { Logits = x => x.matmul(prompt.Context.t()) };
        using var features = new CachedTrainingFeatures(task.Features);
        Assert.Throws<TrainingDivergedException>(() => Trainer(linear, Config() with { LearningRate = 1e38, WarmupEpochs = 0 }).Train(features, task.Labels));
    }

    sealed class RecordingObjective(IPromptLoss loss) : ITrainingObjective
    {
        public List<Tensor> Scores { get; } = [];
        public string Name => "recording";
        public IReadOnlyList<TrainingBatch> PlanEpoch(EpochContext context)
        {
            Scores.Add(context.ScoreTrainingSet());
            // Everything in one batch, in order: a plan unlike the default.
            return [new TrainingBatch([.. Enumerable.Range(0, context.Labels.Count)], loss)];
        }
    }

    [Fact]
    public void AnObjectivePlansBatchesAndCanScoreTheTrainingSet()
    {
        using var task = SyntheticTask.Create(views: 1);
        var prompt = task.NewPrompt();
        var objective = new RecordingObjective(LossRegistry.Create("ce"));
        using var features = new CachedTrainingFeatures(task.Features);
        var metrics = new PromptTrainer(prompt, Config(2), objective, "fp").Train(features, task.Labels);
        Assert.Equal([1, 1], metrics.Select(m => m.Steps));
        Assert.Equal([40, 40], metrics.Select(m => m.Samples));
        Assert.Equal(2, objective.Scores.Count);
        // The second epoch's scores are the prompt's logits after epoch 1 on all samples (view 0).
        Assert.Equal(new long[] { 40, 3 }, objective.Scores[1].shape);
        Assert.NotEqual(Bytes(objective.Scores[0]), Bytes(objective.Scores[1]));
    }
}
