using Dspt.Clip;
using Dspt.Demo;
using Dspt.Pretraining;
using Dspt.Text;
using Dspt.World;
using static TorchSharp.torch;

namespace Dspt.Tests.Pretraining;

/// <summary>A short contrastive pretraining run of the demo's CLIP learns, and resuming it from a checkpoint changes nothing.</summary>
public class PretrainingTests
{
    // A small world (four shapes, one big filled copy, two colours, plain backgrounds) so that a run
    // short enough for the test suite learns shape.
    static readonly Shape[] FewShapes = [Shape.Circle, Shape.Square, Shape.Triangle, Shape.Star];
    static readonly WorldSpec SmallWorld = new()
    {
        Shapes = FewShapes, Colours = [ObjectColour.Red, ObjectColour.Blue], Sizes = [ObjectSize.Big], CountWeights = [1.0],
        Textures = [Texture.Plain], Tones = [Tone.Light, Tone.Dark], OutlineRate = 0, FaintRate = 0, NoisyRate = 0,
    };

    static (ClipModel Model, ClipTokenizer Tokenizer, Func<int, ContrastiveBatch> Batches) Setup(TempDir dir, int batchSize, WorldSpec? spec = null)
    {
        string vocab = dir["vocab.txt.gz"];
        BpeVocabularyBuilder.Write(vocab, WorldVocabulary.Words);
        var tokenizer = ClipTokenizer.Load(vocab);
        var model = new ClipModel(DemoModel.Config(tokenizer.VocabSize));
        model.InitializeParameters(seed: 0);
        var batches = new PretrainBatches(spec ?? WorldSpec.Pretraining, seed: 0, batchSize);
        return (model, tokenizer, step =>
        {
            using var b = batches.Batch(step);
            return new ContrastiveBatch(b.Images.alias(), tokenizer.TokenizeBatch(b.Captions, DemoModel.ContextLength));
        });
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ShortRunLowersTheLossAndBeatsChanceZeroShot()
    {
        using var dir = Repo.Temp();
        var (model, tokenizer, batches) = Setup(dir, batchSize: 32, SmallWorld);
        using var _ = model;
        var config = new PretrainConfig(Steps: 150, BatchSize: 32, WarmupSteps: 10, LearningRate: 2e-3);
        var losses = new ContrastivePretrainer(model, config, batches, checkpointPath: null).Run(0, null, CancellationToken.None);
        // log(32) = 3.47 is the loss of a model that cannot tell the pairs apart.
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < first - 0.5, $"loss {first:F2} -> {last:F2}");

        // Zero-shot on the four shapes (chance 25 %), images from a seed the pretraining never used.
        using var __ = no_grad();
        using var text = model.EncodeText(tokenizer.TokenizeBatch([.. FewShapes.Select(s => $"a photo of a {WorldNames.Name(s)}.")], DemoModel.ContextLength));
        long correct = 0, total = 0;
        for (int label = 0; label < FewShapes.Length; label++)
        {
            var sampler = new WorldSampler(SmallWorld with { Shapes = [FewShapes[label]] }, seed: 777);
            var images = Enumerable.Range(0, 25).Select(i => WorldRenderer.Render(sampler.Sample(i))).ToArray();
            using var pixels = WorldImages.ToClipTensor(images);
            using var predicted = model.Logits(model.EncodeImage(pixels), text).argmax(1);
            correct += predicted.eq(label).sum().item<long>();
            total += images.Length;
        }
        double zeroShot = 100.0 * correct / total;
        Assert.True(zeroShot > 50, $"zero-shot {zeroShot:F1} % (chance 25 %)");
    }

    [Fact]
    [Trait("Category", "Slow")]
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
    /// <summary>
    /// A LibTorch error mid-run (here thrown after corrupting weights and a BatchNorm buffer, as a
    /// failure inside a forward pass could) is replayed from the last checkpoint: the run ends with
    /// the uninterrupted weights and loss curve. Before the first periodic checkpoint it replays from
    /// the start; an error that repeats at the same step is thrown.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    [Trait("Category", "Slow")]
    public void ALibTorchErrorIsReplayedFromTheCheckpointToTheSameWeights(int failingStep)
    {
        using var dir = Repo.Temp();
        var config = new PretrainConfig(Steps: 6, BatchSize: 16, WarmupSteps: 2, CheckpointEvery: 3);
        var (straight, _, batchesA) = Setup(dir, 16);
        using var a = straight;
        var expectedLosses = new ContrastivePretrainer(a, config, batchesA, null).Run(0, null, CancellationToken.None);

        var (faulty, _, batchesB) = Setup(dir, 16);
        using var b = faulty;
        bool failed = false;
        ContrastiveBatch Batch(int step)
        {
            if (step == failingStep && !failed)
            {
                failed = true;
                using (no_grad())
                {
                    b.parameters().First().add_(1f);
                    b.state_dict().First(kv => kv.Key.EndsWith("running_mean")).Value.add_(1f);
                }
                throw new System.Runtime.InteropServices.ExternalException("Expected false to be true, but got false. (simulated)");
            }
            return batchesB(step);
        }
        var log = new List<string>();
        var losses = new ContrastivePretrainer(b, config, Batch, dir[$"ckpt{failingStep}.safetensors"]).Run(0, null, CancellationToken.None, log.Add);
        Assert.True(failed);
        Assert.Equal(expectedLosses, losses);
        var expected = a.state_dict();
        foreach (var (name, t) in b.state_dict())
            Assert.True(t.equal(expected[name]).all().item<bool>(), name);
        Assert.Contains(log, l => l.Contains($"failed at step {failingStep + 1}") && l.Contains($"step-{(failingStep >= 3 ? 3 : 0)} checkpoint"));

        // The same error at the same step again is not transient: it is thrown.
        var (again, _, batchesC) = Setup(dir, 16);
        using var c = again;
        ContrastiveBatch AlwaysFails(int step) => step == failingStep
            ? throw new System.Runtime.InteropServices.ExternalException("always")
            : batchesC(step);
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() =>
            new ContrastivePretrainer(c, config, AlwaysFails, dir[$"again{failingStep}.safetensors"]).Run(0, null, CancellationToken.None));
    }
}
