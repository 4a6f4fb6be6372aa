using Dspt.Clip;
using Dspt.Features;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Text;
using Dspt.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Runs;

/// <summary>
/// The learner and trainer step every run shares, with or without a run folder (the demo trains
/// in memory): a prompt learner for a layout, then the trainer with the chosen objective.
/// <see cref="CreateLearner"/> is where other prompt learners will plug in; today every layout is
/// CoOp's learned context.
/// </summary>
public static class PromptTraining
{
    public static PromptLearner CreateLearner(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, PromptOptions options,
        long seed, Device? device = null)
    {
        var learner = new PromptLearner(clip, PromptTokens.Create(tokenizer, classNames, options, clip.Config.ContextLength), classNames, options, seed);
        if (device is not null && device.type != DeviceType.CPU) learner.to(device);
        return learner;
    }

    /// <summary>Trains <paramref name="learner"/>'s prompt; returns the objective's canonical name and the epochs' metrics.</summary>
    /// <param name="fingerprint">What a checkpoint must carry to resume this training.</param>
    public static (string Objective, IReadOnlyList<EpochMetrics> Metrics) Train(PromptLearner learner, TrainConfig config, string loss,
        string fingerprint, ITrainingFeatures features, IReadOnlyList<long> labels, string? checkpoint = null, TrainingCheckpoint? resume = null,
        ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        var objective = TrainingObjectives.Create(loss);
        var trainer = new PromptTrainer(TrainablePrompt.From(learner), config, objective, fingerprint);
        return (objective.Name, trainer.Train(features, labels, checkpoint, resume, progress, cancellation));
    }
}
