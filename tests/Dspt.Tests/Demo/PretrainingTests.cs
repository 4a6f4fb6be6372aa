using Dspt.Clip;
using Dspt.Demo;
using Dspt.Pretraining;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Tests.Demo;

/// <summary>A short contrastive pretraining run of the demo's CLIP learns, and resuming it from a checkpoint changes nothing.</summary>
public class PretrainingTests
{
    static (ClipModel Model, ClipTokenizer Tokenizer, Func<int, ContrastiveBatch> Batches) Setup(TempDir dir, int batchSize)
    {
        string vocab = dir["vocab.txt.gz"];
        BpeVocabularyBuilder.Write(vocab, WorldVocabulary.Words);
        var tokenizer = ClipTokenizer.Load(vocab);
        var model = new ClipModel(DemoModel.Config(tokenizer.VocabSize));
        model.InitializeParameters(seed: 0);
        var batches = new PretrainBatches(WorldSpec.Pretraining, seed: 0, batchSize);
        return (model, tokenizer, step =>
        {
            using var b = batches.Batch(step);
            return new ContrastiveBatch(b.Images.alias(), tokenizer.TokenizeBatch(b.Captions, DemoModel.ContextLength));
        });
    }

    [Fact]
    public void ShortRunLowersTheLossAndBeatsChanceZeroShot()
    {
        using var dir = Repo.Temp();
        var (model, tokenizer, batches) = Setup(dir, batchSize: 64);
        using var _ = model;
        var config = new PretrainConfig(Steps: 60, BatchSize: 64, WarmupSteps: 10, LearningRate: 2e-3);
        var losses = new ContrastivePretrainer(model, config, batches, checkpointPath: null).Run(0, null, CancellationToken.None);
        // log(64) = 4.16 is the loss of a model that cannot tell the pairs apart.
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < first - 0.5, $"loss {first:F2} -> {last:F2}");
        // 20 shapes: chance is 5 %.
        var task = WorldTask.Shape(sizes: new WorldSplitSizes(TrainPerClass: 0, ValPerClass: 0, TestPerClass: 10));
        double zeroShot = WorldPretraining.ZeroShotAccuracy(model, tokenizer, task);
        Assert.True(zeroShot > 15, $"zero-shot {zeroShot:F1} %");
    }

    [Fact]
    public void ResumingFromACheckpointGivesTheSameWeights()
    {
        using var dir = Repo.Temp();
        var config = new PretrainConfig(Steps: 6, BatchSize: 16, WarmupSteps: 2, CheckpointEvery: 3);
        var (straight, _, batchesA) = Setup(dir, 16);
        using var a = straight;
        new ContrastivePretrainer(a, config, batchesA, null).Run(0, null, CancellationToken.None);

        var (interrupted, _, batchesB) = Setup(dir, 16);
        using var b = interrupted;
        string checkpoint = dir["ckpt.safetensors"];
        var first = new ContrastivePretrainer(b, config with { Steps = 6 }, batchesB, checkpoint);
        // Killed during step 5, after the step-3 checkpoint (step 4 is lost, as it would be).
        Assert.Throws<OperationCanceledException>(() => first.Run(0, p => { if (p.Step == 4) throw new OperationCanceledException(); }, CancellationToken.None));
        var (resumed, _, batchesC) = Setup(dir, 16);
        using var c = resumed;
        var second = new ContrastivePretrainer(c, config, batchesC, checkpoint);
        int start = second.LoadCheckpoint(checkpoint);
        Assert.Equal(3, start);
        second.Run(start, null, CancellationToken.None);

        var expected = a.state_dict();
        foreach (var (name, t) in c.state_dict())
            Assert.True(t.equal(expected[name]).all().item<bool>(), name);
    }
}
