namespace Dspt.Training;

/// <summary>
/// Dassl's ConstantWarmupScheduler around CosineAnnealingLR(T_max = max_epoch), the schedule
/// CoOp uses, stepped once per epoch. With WARMUP_RECOUNT = True (Dassl's default) the cosine
/// restarts its count after the warm-up, so epoch e &gt;= W runs at
/// <c>lr/2 * (1 + cos(pi * (e - W) / T))</c>; with CoOp's W = 1 and lr 0.002 that is
/// <c>0.001 * (1 + cos(pi * (e - 1) / T))</c> (method.md, section 3). T stays the total epoch
/// count, so the last epoch does not reach 0.
/// </summary>
public static class LearningRateSchedule
{
    /// <param name="epoch">0-based epoch index.</param>
    public static double At(TrainConfig config, int epoch)
    {
        if (epoch < 0 || epoch >= config.Epochs)
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"epoch must be in [0, {config.Epochs})");
        if (epoch < config.WarmupEpochs) return config.WarmupLearningRate;
        // PyTorch's CosineAnnealingLR updates recursively; the closed form is the value it tracks
        // (they differ by float rounding only, ~1e-19 here).
        return config.LearningRate / 2 * (1 + Math.Cos(Math.PI * (epoch - config.WarmupEpochs) / config.Epochs));
    }
}
