using TorchSharp;
using System.Diagnostics;
using System.Text.Json;
using Dspt.Clip;
using Dspt.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Pretraining;

/// <summary>One pretraining batch: images (B, 3, R, R) normalised, tokens (B, context) int64.</summary>
public sealed record ContrastiveBatch(Tensor Images, Tensor Tokens) : IDisposable
{
    public void Dispose() { Images.Dispose(); Tokens.Dispose(); }
}

public sealed record PretrainProgress(int Step, int Steps, double Loss, double LearningRate, double LogitScale, double SecondsPerStep);

/// <summary>
/// Trains a whole CLIP from scratch with symmetric InfoNCE, AdamW (no weight decay on gains,
/// biases, embeddings and the temperature, as CLIP), linear warm-up then cosine decay. The
/// batch for step s comes from a pure function of s, and checkpoints hold the model and optimizer
/// state, so an interrupted run resumes to exactly the same weights.
/// </summary>
public sealed class ContrastivePretrainer
{
    readonly ClipModel model;
    readonly PretrainConfig config;
    readonly Func<int, ContrastiveBatch> batchForStep;
    readonly AdamW optimizer;
    readonly string? checkpointPath;

    public ContrastivePretrainer(ClipModel model, PretrainConfig config, Func<int, ContrastiveBatch> batchForStep, string? checkpointPath)
    {
        this.model = model;
        this.config = config;
        this.batchForStep = batchForStep;
        this.checkpointPath = checkpointPath;
        foreach (var p in model.parameters()) p.requires_grad = true;
        var decayed = new List<Parameter>();
        var plain = new List<Parameter>();
        foreach (var (name, p) in model.named_parameters())
            (p.dim() >= 2 && !name.Contains("embedding") ? decayed : plain).Add(p);
        optimizer = optim.AdamW(
            [new AdamW.ParamGroup(decayed, new AdamW.Options { weight_decay = config.WeightDecay }),
             new AdamW.ParamGroup(plain, new AdamW.Options { weight_decay = 0 })],
            lr: config.LearningRate, beta1: config.Beta1, beta2: config.Beta2, eps: config.Eps);
    }

    public double LearningRateAt(int step)
    {
        if (step < config.WarmupSteps) return config.LearningRate * (step + 1) / config.WarmupSteps;
        double progress = (double)(step - config.WarmupSteps) / Math.Max(1, config.Steps - config.WarmupSteps);
        return 0.5 * config.LearningRate * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>How many LibTorch errors one run replays from its checkpoint before giving up.</summary>
    public const int MaxReplays = 5;

    /// <summary>
    /// Runs steps [start, Steps); returns the loss of each step run. With a checkpoint path, a
    /// LibTorch error (ExternalException) is replayed from the last checkpoint, which gives the
    /// same weights as a run without it: TorchSharp 0.107 can hand LibTorch a Scalar its finalizer
    /// has already freed, a rare transient failure that crashed long runs. An error that repeats
    /// at the same step, or more than <see cref="MaxReplays"/> errors, is thrown.
    /// </summary>
    public List<double> Run(int startStep, Action<PretrainProgress>? progress, CancellationToken cancel, Action<string>? log = null)
    {
        var losses = new List<double>();
        model.train();
        var clock = Stopwatch.StartNew();
        // A state to replay from before the first periodic checkpoint.
        if (checkpointPath != null && !File.Exists(checkpointPath)) SaveCheckpoint(checkpointPath, startStep);
        int replays = 0, lastFailedStep = -1;
        for (int step = startStep; step < config.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            double lr = LearningRateAt(step);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            double loss;
            try
            {
                loss = Step(step);
            }
            catch (System.Runtime.InteropServices.ExternalException e) when (checkpointPath != null && step != lastFailedStep && replays < MaxReplays)
            {
                int resumed = LoadCheckpoint(checkpointPath);
                if (resumed < startStep || resumed > step) throw;
                replays++;
                lastFailedStep = step;
                log?.Invoke($"LibTorch failed at step {step + 1} ({e.Message.Split('\n')[0].Trim()}); replaying from the step-{resumed} checkpoint ({replays}/{MaxReplays})");
                losses.RemoveRange(resumed - startStep, losses.Count - (resumed - startStep));
                step = resumed - 1;
                continue;
            }
            losses.Add(loss);
            progress?.Invoke(new PretrainProgress(step + 1, config.Steps, loss, lr,
                Math.Exp(model.LogitScale.item<float>()), clock.Elapsed.TotalSeconds / (step + 1 - startStep)));
            if (checkpointPath != null && ((step + 1) % config.CheckpointEvery == 0 || step + 1 == config.Steps))
                SaveCheckpoint(checkpointPath, step + 1);
        }
        model.eval();
        return losses;
    }

    double Step(int step)
    {
        using var scope = NewDisposeScope();
        using var batch = batchForStep(step);
        optimizer.zero_grad();
        var l = ContrastiveLoss.Compute(model.EncodeImage(batch.Images), model.EncodeText(batch.Tokens), model.LogitScale);
        double loss = l.item<float>();
        if (!double.IsFinite(loss))
            throw new InvalidOperationException($"pretraining loss became {loss} at step {step}; lower the learning rate");
        l.backward();
        optimizer.step();
        // CLIP clamps the temperature so logits stay below 100.
        using (no_grad())
        {
            using var min = 0.ToScalar();
            using var max = Math.Log(100).ToScalar();
            model.LogitScale.clamp_(min, max);
        }
        return loss;
    }

    /// <summary>Model and AdamW state (step count and both moments per parameter), written atomically.</summary>
    public void SaveCheckpoint(string path, int stepsDone)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict()) tensors["model." + name] = t;
        var state = optimizer.state_dict();
        for (int i = 0; i < state.State.Count; i++)
        {
            var s = (AdamW.State)state.State[i];
            tensors[$"adamw.{i}.exp_avg"] = s.exp_avg;
            tensors[$"adamw.{i}.exp_avg_sq"] = s.exp_avg_sq;
            tensors[$"adamw.{i}.step"] = tensor(s.step);
        }
        Safetensors.Save(path, tensors, new Dictionary<string, string>
        {
            ["steps_done"] = stepsDone.ToString(),
            ["config"] = JsonSerializer.Serialize(config, Runs.RunManifest.Json),
        });
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/>; returns the steps done.</summary>
    public int LoadCheckpoint(string path)
    {
        var tensors = Safetensors.Load(path, out var meta);
        // Checkpoints before snake_case JSON everywhere hold the config with C# property names.
        if (!meta.TryGetValue("config", out var savedConfig)
            || (savedConfig != JsonSerializer.Serialize(config, Runs.RunManifest.Json) && savedConfig != JsonSerializer.Serialize(config)))
            throw new InvalidInputException($"{path}: checkpoint was written with a different pretraining config ({savedConfig ?? "none"}); resume needs the same one");
        using (no_grad())
            foreach (var (name, t) in model.state_dict())
                t.copy_(tensors.TryGetValue("model." + name, out var v) ? v
                    : throw new InvalidInputException($"{path}: checkpoint lacks 'model.{name}'"));
        var state = optimizer.state_dict();
        for (int i = 0; i < state.State.Count; i++)
        {
            var s = (AdamW.State)state.State[i];
            s.exp_avg.copy_(tensors[$"adamw.{i}.exp_avg"]);
            s.exp_avg_sq.copy_(tensors[$"adamw.{i}.exp_avg_sq"]);
            s.step = tensors[$"adamw.{i}.step"].item<long>();
        }
        return int.Parse(meta["steps_done"]);
    }
}
