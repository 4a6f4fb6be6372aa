using Dspt.Losses;
using Dspt.Training;

namespace Dspt.Objectives;

/// <summary>CoOp's epoch: a seeded shuffle of all samples, batches with the last incomplete one dropped, one loss.</summary>
public sealed class LossObjective(IPromptLoss loss) : ITrainingObjective
{
    public string Name => loss.Name;

    public IReadOnlyList<TrainingBatch> PlanEpoch(EpochContext context)
    {
        var order = SeedStreams.Permutation(context.Labels.Count, context.Random("shuffle"));
        return Batching.Split(order, context.BatchSize).Select(b => new TrainingBatch(b, loss)).ToList();
    }
}
