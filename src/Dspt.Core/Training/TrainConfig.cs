namespace Dspt.Training;

/// <summary>
/// Optimisation settings. The defaults are CoOp's (configs/trainers/CoOp/*.yaml on Dassl):
/// SGD lr 0.002, momentum 0.9, weight decay 5e-4, batch 32, one warm-up epoch at a constant
/// 1e-5, then cosine annealing over <see cref="Epochs"/> stepped once per epoch.
/// </summary>
/// <param name="Epochs">Total epochs, warm-up included (CoOp's MAX_EPOCH); see <see cref="EpochsForShots"/>.</param>
/// <param name="AugmentedViews">0: no augmentation, every epoch sees the test transform (view 0).
/// V &gt; 0: V random-resized-crop + flip views per image are encoded once and each epoch draws one
/// of them per sample.</param>
/// <param name="Seed">Drives shuffling, view draws and augmentation; nothing else is random.</param>
public sealed record TrainConfig(
    int Epochs,
    double LearningRate = 0.002,
    double Momentum = 0.9,
    double WeightDecay = 5e-4,
    int BatchSize = 32,
    int WarmupEpochs = 1,
    double WarmupLearningRate = 1e-5,
    int AugmentedViews = 0,
    long Seed = 1)
{
    /// <summary>CoOp's epoch counts: 16 and 8 shots -> 200, 4 and 2 -> 100, 1 -> 50.</summary>
    public static int EpochsForShots(int shots) => shots switch
    {
        >= 8 => 200,
        >= 2 => 100,
        1 => 50,
        _ => throw new InvalidInputException($"shots must be at least 1, got {shots}"),
    };

    public static TrainConfig ForShots(int shots, long seed = 1) => new(EpochsForShots(shots), Seed: seed);

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first out-of-range field.</summary>
    public TrainConfig Validated()
    {
        Require(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a finite number > 0");
        Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "in [0, 1)");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "a finite number >= 0");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(WarmupEpochs >= 0 && WarmupEpochs <= Epochs, nameof(WarmupEpochs), WarmupEpochs, $"in [0, {Epochs}]");
        Require(WarmupLearningRate > 0 && double.IsFinite(WarmupLearningRate), nameof(WarmupLearningRate), WarmupLearningRate, "a finite number > 0");
        Require(AugmentedViews >= 0, nameof(AugmentedViews), AugmentedViews, "0 (no augmentation) or more");
        return this;
    }

    static void Require(bool ok, string field, object value, string expected)
    {
        if (!ok) throw new InvalidInputException($"training config: {field} = {value} is out of range, expected {expected}");
    }
}
