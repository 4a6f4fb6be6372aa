using Dspt.Objectives;
using static TorchSharp.torch;

namespace Dspt.Training;

/// <summary>
/// What an <see cref="ITrainingObjective"/> may look at when planning an epoch.
/// <see cref="ScoreTrainingSet"/> returns the current prompt's logits (N, K) for every training
/// sample under this epoch's views, without gradients (NLPrompt's per-epoch OT selection needs it).
/// </summary>
public sealed record EpochContext(
    int Epoch,
    int Epochs,
    int BatchSize,
    long Seed,
    IReadOnlyList<long> Labels,
    Func<Tensor> ScoreTrainingSet)
{
    /// <summary>A random stream private to (seed, name, this epoch): resuming cannot shift it.</summary>
    public Random Random(string stream) => SeedStreams.Named(Seed, stream, Epoch);
}
