namespace Dspt.Training;

/// <summary>Where the trainer reports; called synchronously on the training thread.</summary>
public interface ITrainingProgress
{
    void Step(StepProgress step);

    /// <summary>After the epoch's checkpoint is written; <paramref name="all"/> holds every epoch so far.</summary>
    void EpochCompleted(EpochMetrics metrics, IReadOnlyList<EpochMetrics> all);
}

/// <param name="Epoch">1-based.</param>
/// <param name="Step">1-based within the epoch.</param>
/// <param name="Remaining">Estimated from this session's mean step time; null before the first step.</param>
public sealed record StepProgress(
    int Epoch,
    int Epochs,
    int Step,
    int Steps,
    double Loss,
    double LearningRate,
    double SamplesPerSecond,
    TimeSpan Elapsed,
    TimeSpan? Remaining);
