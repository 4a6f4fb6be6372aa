using Dspt.Evaluation;
using System.Diagnostics;
using Dspt.Features;
using Dspt.Objectives;
using Dspt.Prompting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Training;

/// <summary>
/// CoOp's training loop on image features: SGD (momentum, weight decay; <see cref="MomentumSgd"/>) on the prompt model's
/// trainable tensors (one parameter group, a momentum buffer per tensor, as Dassl's optimizer
/// over the prompt learner), learning rate set per epoch by <see cref="LearningRateSchedule"/>, batches planned by an
/// <see cref="ITrainingObjective"/>, each epoch drawing one training view per sample.
/// After every epoch a checkpoint is written atomically; a run resumed from it performs exactly
/// the same operations on exactly the same values as an uninterrupted run, so on a given device
/// and thread count the resulting context is bit-identical.
/// </summary>
public sealed class PromptTrainer(IPromptModel prompt, TrainConfig config, ITrainingObjective objective, string fingerprint)
{
    public TrainConfig Config { get; } = config.Validated();

    /// <summary>
    /// Measures the prompt after each epoch (learning curves) and returns the epoch's metrics with
    /// the measurements added, before the checkpoint is written, so a resumed run keeps them. It
    /// runs without gradients and draws no random numbers, so it cannot change the training.
    /// </summary>
    public Func<EpochMetrics, EpochMetrics>? EpochObserver { get; init; }

    /// <param name="labels">The given (possibly noisy) label of each training sample.</param>
    /// <param name="checkpointPath">Written after every epoch; null: no checkpoints.</param>
    /// <param name="resume">A checkpoint of this run to continue from.</param>
    public IReadOnlyList<EpochMetrics> Train(
        ITrainingFeatures features,
        IReadOnlyList<long> labels,
        string? checkpointPath = null,
        TrainingCheckpoint? resume = null,
        ITrainingProgress? progress = null,
        CancellationToken cancellation = default)
    {
        if (features.Count != labels.Count)
            throw new ArgumentException($"{features.Count} feature rows but {labels.Count} labels");
        if (features.Count == 0)
            throw new InvalidInputException("the training set is empty");
        if (prompt.ConsumesPixels)
            throw new InvalidInputException($"the {prompt.Kind} learner prompts the image tower and needs pixels; this trainer runs on cached image features");
        var parameters = prompt.Trainable.Select(t => t.Tensor).ToList();
        var device = parameters[0].device;
        using var optimizer = new MomentumSgdGroup(parameters, Config.LearningRate, Config.Momentum, Config.WeightDecay);
        var metrics = new List<EpochMetrics>();
        if (resume is not null) Restore(resume, optimizer, metrics);

        using var labelTensor = tensor(labels.ToArray(), device: device);
        var clock = Stopwatch.StartNew();
        int stepsDone = 0;
        for (int epoch = metrics.Count; epoch < Config.Epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            double lr = LearningRateSchedule.At(Config, epoch);
            optimizer.LearningRate = lr;
            var views = DrawViews(features, epoch);
            var context = new EpochContext(epoch, Config.Epochs, Config.BatchSize, Config.Seed, labels,
                () => Score(features, views, device));
            var batches = objective.PlanEpoch(context);
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0;
            long correct = 0;
            int samples = 0;
            for (int step = 0; step < batches.Count; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = batches[step];
                var (value, hits) = Step(optimizer, features, labelTensor, batch, views, device);
                if (!float.IsFinite(value))
                    throw new TrainingDivergedException(
                        $"the {batch.Loss.Name} loss became {value} at epoch {epoch + 1}/{Config.Epochs}, step {step + 1}/{batches.Count} " +
                        $"(learning rate {lr:G4}); training stopped. Try a lower learning rate (--lr, now {Config.LearningRate:G4}).");
                lossSum += value;
                correct += hits;
                samples += batch.Indices.Length;
                stepsDone++;
                if (progress is not null)
                {
                    var elapsed = clock.Elapsed;
                    int stepsLeft = batches.Count - step - 1 + (Config.Epochs - epoch - 1) * batches.Count;
                    progress.Step(new StepProgress(epoch + 1, Config.Epochs, step + 1, batches.Count, lossSum / (step + 1), lr,
                        samples / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9), elapsed, elapsed / stepsDone * stepsLeft));
                }
            }
            var m = new EpochMetrics(epoch + 1, batches.Count > 0 ? lossSum / batches.Count : double.NaN, lr,
                samples > 0 ? 100.0 * correct / samples : double.NaN, samples, batches.Count, epochClock.Elapsed.TotalSeconds);
            if (EpochObserver is not null)
                using (no_grad()) m = EpochObserver(m);
            metrics.Add(m);
            if (checkpointPath is not null)
            {
                using var checkpoint = Capture(optimizer, metrics);
                checkpoint.Save(checkpointPath);
            }
            progress?.EpochCompleted(m, metrics);
        }
        return metrics;
    }

    /// <summary>
    /// One SGD step on one batch; returns the mean loss and how many predictions matched the
    /// given labels. A non-finite loss returns before backward, so the context stays as it was.
    /// </summary>
    (float Loss, long Correct) Step(MomentumSgdGroup optimizer, ITrainingFeatures features, Tensor labels, TrainingBatch batch, int[] views, Device device)
    {
        using var scope = NewDisposeScope();
        var x = features.Gather(batch.Indices, [.. batch.Indices.Select(i => views[i])], device);
        var y = labels.index_select(0, tensor(batch.Indices.Select(i => (long)i).ToArray(), device: device));
        optimizer.ZeroGrad();
        var (logits, penalty) = prompt.Forward(x);
        var loss = batch.Loss.PerSample(logits, y).mean();
        if (penalty is not null) loss = loss.Plus(penalty);
        float value = loss.item<float>();
        if (!float.IsFinite(value)) return (value, 0);
        loss.backward();
        optimizer.Step();
        return (value, TopOne.Hits(logits, y));
    }

    /// <summary>The state after the epochs in <paramref name="metrics"/>, as a checkpoint (tensors copied to the CPU).</summary>
    TrainingCheckpoint Capture(MomentumSgdGroup optimizer, List<EpochMetrics> metrics)
    {
        var tensors = new Dictionary<string, Tensor>();
        var momentum = new Dictionary<string, Tensor>();
        for (int i = 0; i < prompt.Trainable.Count; i++)
        {
            var (name, p) = prompt.Trainable[i];
            tensors[name] = p.detach().cpu().clone();
            if (optimizer.Members[i].MomentumBuffer is { } buffer) momentum[name] = buffer.detach().cpu().clone();
        }
        return new TrainingCheckpoint(tensors, momentum, metrics.Count, fingerprint, [.. metrics]);
    }

    void Restore(TrainingCheckpoint checkpoint, MomentumSgdGroup optimizer, List<EpochMetrics> metrics)
    {
        if (checkpoint.Fingerprint != fingerprint)
            throw new InvalidInputException($"the checkpoint was written by a run with different settings (fingerprint {checkpoint.Fingerprint}, this run {fingerprint}); start a new run folder instead of resuming");
        var names = prompt.Trainable.Select(t => t.Name).ToList();
        if (!checkpoint.Tensors.Keys.Order(StringComparer.Ordinal).SequenceEqual(names.Order(StringComparer.Ordinal)))
            throw new InvalidInputException($"the checkpoint holds tensors {string.Join(", ", checkpoint.Tensors.Keys.Order(StringComparer.Ordinal))}, the {prompt.Kind} learner trains {string.Join(", ", names.Order(StringComparer.Ordinal))}");
        foreach (var (name, p) in prompt.Trainable)
            if (!checkpoint.Tensors[name].shape.SequenceEqual(p.shape))
                throw new InvalidInputException($"the checkpoint's {name} has shape [{string.Join(", ", checkpoint.Tensors[name].shape)}], this prompt's is [{string.Join(", ", p.shape)}]");
        if (checkpoint.CompletedEpochs > Config.Epochs)
            throw new InvalidInputException($"the checkpoint has {checkpoint.CompletedEpochs} completed epochs, more than this run's {Config.Epochs}");
        for (int i = 0; i < prompt.Trainable.Count; i++)
        {
            var (name, p) = prompt.Trainable[i];
            using (no_grad()) p.copy_(checkpoint.Tensors[name]);
            if (checkpoint.Momentum.TryGetValue(name, out var buffer))
                optimizer.Members[i].RestoreMomentum(buffer);
        }
        metrics.AddRange(checkpoint.Metrics);
    }

    /// <summary>One training view per sample for this epoch (all 0 without augmentation).</summary>
    int[] DrawViews(ITrainingFeatures features, int epoch)
    {
        if (features.Views == 1) return new int[features.Count];
        var random = SeedStreams.Named(Config.Seed, "views", epoch);
        return [.. Enumerable.Range(0, features.Count).Select(_ => random.Next(features.Views))];
    }

    Tensor Score(ITrainingFeatures features, int[] views, Device device)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var all = Enumerable.Range(0, features.Count).ToArray();
        var parts = Batching.Chunks(all, prompt.InferenceBatch)
            .Select(c => prompt.Forward(features.Gather(c, [.. c.Select(i => views[i])], device)).Logits).ToList();
        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}
