using Dspt.Losses;
using Dspt.Training;

namespace Dspt.Objectives;

/// <summary>One optimiser step: the samples (indices into the training set) and their loss.</summary>
public sealed record TrainingBatch(int[] Indices, IPromptLoss Loss);

/// <summary>
/// Decides, epoch by epoch, which samples form each batch and which loss each batch uses; the
/// trainer does the rest (features, logits, mean loss, backward, SGD). Plain losses use
/// <see cref="LossObjective"/>; a sample-selection scheme such as NLPrompt (score all samples,
/// then clean batches with CE and noisy batches with MAE) plugs in here without touching the
/// trainer. Must be deterministic given the context (use <see cref="EpochContext.Random"/>).
/// </summary>
public interface ITrainingObjective
{
    string Name { get; }
    IReadOnlyList<TrainingBatch> PlanEpoch(EpochContext context);
}
