using Dspt.Training;

namespace Dspt.Tests.Training;

public class ScheduleAndBatchingTests
{
    [Fact]
    public void DefaultsAreCoOps()
    {
        var c = TrainConfig.ForShots(16);
        Assert.Equal((200, 0.002, 0.9, 5e-4, 32, 1, 1e-5, 0), (c.Epochs, c.LearningRate, c.Momentum, c.WeightDecay, c.BatchSize, c.WarmupEpochs, c.WarmupLearningRate, c.AugmentedViews));
        Assert.Equal([200, 200, 100, 100, 50], new[] { 16, 8, 4, 2, 1 }.Select(TrainConfig.EpochsForShots));
        Assert.Throws<InvalidInputException>(() => TrainConfig.EpochsForShots(0));
        Assert.Contains("LearningRate", Assert.Throws<InvalidInputException>(() => (c with { LearningRate = -1 }).Validated()).Message);
    }

    /// <summary>
    /// Replays what Dassl does, as an independent computation: CosineAnnealingLR(T_max = max_epoch)
    /// built first (its constructor steps once and leaves the optimizer at the base lr), wrapped by
    /// ConstantWarmupScheduler (its constructor steps to last_epoch 0 and sets cons_lr), then one
    /// scheduler.step() after every epoch; PyTorch's cosine uses its recursive (chainable) form on
    /// the optimizer's current lr. The recursion multiplies up to 200 ratios, so the closed form
    /// agrees to ~1e-14 relative; 1e-10 leaves room and still catches any off-by-one (which moves
    /// the value by >1e-4 relative).
    /// </summary>
    [Theory]
    [InlineData(200)]
    [InlineData(100)]
    [InlineData(50)]
    [InlineData(3)]
    public void MatchesDasslsConstantWarmupCosineStateMachine(int maxEpoch)
    {
        var config = new TrainConfig(maxEpoch);
        double baseLr = 0.002, consLr = 1e-5;
        int warmup = 1;
        double groupLr = baseLr;               // CosineAnnealingLR.__init__ -> step(): last_epoch 0, lr = base
        int cosineLastEpoch = 0;
        int warmupLastEpoch = 0; groupLr = consLr; // ConstantWarmupScheduler.__init__ -> step(): last_epoch 0 < 1
        for (int epoch = 0; epoch < maxEpoch; epoch++)
        {
            double expected = groupLr;
            double actual = LearningRateSchedule.At(config, epoch);
            Assert.True(Math.Abs(actual - expected) <= 1e-10 * expected, $"epoch {epoch}: {actual} vs Dassl {expected}");
            // scheduler.step() at the end of the epoch
            if (warmupLastEpoch >= warmup)
            {
                cosineLastEpoch++;
                groupLr = (1 + Math.Cos(Math.PI * cosineLastEpoch / maxEpoch)) / (1 + Math.Cos(Math.PI * (cosineLastEpoch - 1) / maxEpoch)) * groupLr;
            }
            else
            {
                warmupLastEpoch++;
                groupLr = warmupLastEpoch >= warmup ? baseLr /* successor.get_last_lr() */ : consLr;
            }
        }
    }

    [Fact]
    public void MethodMdValues()
    {
        var c = new TrainConfig(200);
        Assert.Equal(1e-5, LearningRateSchedule.At(c, 0));
        Assert.Equal(0.002, LearningRateSchedule.At(c, 1), 15);
        Assert.Equal(0.001 * (1 + Math.Cos(Math.PI * 99 / 200)), LearningRateSchedule.At(c, 100), 15);
        Assert.Equal(0.001 * (1 + Math.Cos(Math.PI * 198 / 200)), LearningRateSchedule.At(c, 199), 15);
        // Without warm-up the cosine starts at epoch 0.
        Assert.Equal(0.002, LearningRateSchedule.At(c with { WarmupEpochs = 0 }, 0), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.At(c, 200));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 1)]   // fewer than a batch: Dassl keeps the one incomplete batch
    [InlineData(31, 1)]
    [InlineData(32, 1)]
    [InlineData(33, 1)]  // 1 dropped
    [InlineData(63, 1)]
    [InlineData(64, 2)]
    [InlineData(160, 5)]
    [InlineData(1600, 50)]
    public void DropsTheLastIncompleteBatchLikeDassl(int samples, int expectedBatches)
    {
        var order = SeedStreams.Permutation(samples, SeedStreams.Named(7, "shuffle", 0));
        var batches = Batching.Split(order, 32);
        Assert.Equal(expectedBatches, batches.Count);
        Assert.Equal(expectedBatches, Batching.Count(samples, 32));
        int used = samples < 32 ? samples : samples / 32 * 32;
        Assert.All(batches, b => Assert.Equal(Math.Min(32, samples), b.Length));
        Assert.Equal(order.Take(used), batches.SelectMany(b => b));
    }

    [Fact]
    public void SeededStreamsAreReproducibleAndIndependent()
    {
        int[] Draw(long seed, string stream, int epoch) => SeedStreams.Permutation(50, SeedStreams.Named(seed, stream, epoch));
        Assert.Equal(Draw(1, "shuffle", 3), Draw(1, "shuffle", 3));
        Assert.NotEqual(Draw(1, "shuffle", 3), Draw(1, "shuffle", 4));
        Assert.NotEqual(Draw(1, "shuffle", 3), Draw(2, "shuffle", 3));
        Assert.NotEqual(Draw(1, "shuffle", 3), Draw(1, "views", 3));
        Assert.Equal(Enumerable.Range(0, 50), Draw(1, "shuffle", 3).Order());
    }
}
