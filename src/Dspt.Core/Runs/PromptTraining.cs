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
/// in memory): a prompt learner from <see cref="LearnerRegistry"/>, then the trainer with the
/// chosen objective.
/// </summary>
public static class PromptTraining
{
    /// <param name="learner">The registry name (coop, cocoop, kgcoop[:W]).</param>
    /// <param name="template">The dataset's template: KgCoOp's hand-crafted prompts.</param>
    public static IPromptModel CreateLearner(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, PromptOptions options,
        long seed, Device? device = null, string learner = "coop", string template = "a photo of a {}.")
    {
        var model = LearnerRegistry.Create(learner, new LearnerSetup(clip, tokenizer, classNames, options, template, seed));
        if (device is not null && device.type != DeviceType.CPU && model is nn.Module module) module.to(device);
        return model;
    }

    /// <summary>Trains <paramref name="learner"/>'s prompt; returns the objective's canonical name and the epochs' metrics.</summary>
    /// <param name="fingerprint">What a checkpoint must carry to resume this training.</param>
    public static (string Objective, IReadOnlyList<EpochMetrics> Metrics) Train(IPromptModel learner, TrainConfig config, string loss,
        string fingerprint, ITrainingFeatures features, IReadOnlyList<long> labels, string? checkpoint = null, TrainingCheckpoint? resume = null,
        ITrainingProgress? progress = null, CancellationToken cancellation = default, Func<EpochMetrics, EpochMetrics>? observer = null)
    {
        var objective = TrainingObjectives.Create(loss);
        var trainer = new PromptTrainer(learner, config, objective, fingerprint) { EpochObserver = observer };
        return (objective.Name, trainer.Train(features, labels, checkpoint, resume, progress, cancellation));
    }
}
