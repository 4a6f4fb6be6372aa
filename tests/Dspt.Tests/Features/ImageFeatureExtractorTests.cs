using Dspt.Features;
using Dspt.Losses;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Tests.Prompting;
using Dspt.Tests.Training;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Tests.Features;

public class ImageFeatureExtractorTests
{
    static byte[] Bytes(Tensor t) => t.contiguous().bytes.ToArray();

    [Fact]
    [Trait("Category", "Slow")]
    public void CachedFeaturesAreTheFreshlyComputedOnesWhateverTheOrder()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        var (paths, _) = SyntheticImages.WriteSet(dir["images"], 6, 3, seed: 1);

        var first = new ImageFeatureExtractor(model, "vit-tiny", new ImageFeatureCache(dir["cache"]));
        using var views = first.TrainingViews(paths, augmentedViews: 2, seed: 9);          // (6, 2, 64)
        using var test = first.Encode(paths, view: 0, augmentationSeed: 9);
        Assert.Equal(new long[] { 6, 2, 64 }, views.shape);
        Assert.Equal(18, first.Cache.Misses);

        // Views differ from each other and from the test view: augmentation did something.
        Assert.NotEqual(Bytes(views[.., 0]), Bytes(views[.., 1]));
        Assert.NotEqual(Bytes(views[.., 0]), Bytes(test));

        // Fresh encoding, in reverse order and without any cache, gives the same bits.
        var reversed = Enumerable.Reverse(paths).ToList();
        var fresh = new ImageFeatureExtractor(model, "vit-tiny", new ImageFeatureCache());
        using var recomputed = fresh.EncodeUncached(reversed, [.. reversed.Select(p => fresh.Key(p, 2, 9))]);
        Assert.Equal(Bytes(views[.., 1].flip(0)), Bytes(recomputed));

        // A new process reading the disk cache encodes nothing and gets the same bits.
        var reopened = new ImageFeatureExtractor(model, "vit-tiny", new ImageFeatureCache(dir["cache"]));
        using var fromDisk = reopened.TrainingViews(paths, augmentedViews: 2, seed: 9);
        Assert.Equal((12, 0), (reopened.Cache.DiskHits, reopened.Cache.Misses));
        Assert.Equal(Bytes(views), Bytes(fromDisk));

        // Another augmentation seed gives other views; the test view does not depend on it.
        var other = new ImageFeatureExtractor(model, "vit-tiny", new ImageFeatureCache(dir["cache"]));
        using var otherViews = other.TrainingViews(paths, augmentedViews: 1, seed: 10);
        Assert.NotEqual(Bytes(views[.., 0]), Bytes(otherViews[.., 0]));
        using var otherTest = other.Encode(paths, view: 0, augmentationSeed: 10);
        Assert.Equal(Bytes(test), Bytes(otherTest));
    }

    /// <summary>
    /// The speed-up is exact: training on cached views gives the same context, bit for bit, as
    /// running the image encoder inside every step (CoOp's way), so every step's logits, loss and
    /// gradient were the same too.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainingFromTheCacheEqualsEncodingEveryStep()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        var fixture = CoOpFixture.Load("b_rand16_end");
        var (paths, labels) = SyntheticImages.WriteSet(dir["images"], 10, fixture.ClassNames.Count, seed: 2);
        var config = new TrainConfig(2, BatchSize: 4, AugmentedViews: 2, Seed: 4, LearningRate: 0.05);
        var extractor = new ImageFeatureExtractor(model, "vit-tiny", new ImageFeatureCache());

        (byte[] Context, IReadOnlyList<EpochMetrics> Metrics) Train(ITrainingFeatures features)
        {
            var learner = new PromptLearner(model, fixture.Tokens, fixture.ClassNames, fixture.Options, 1);
            var metrics = new PromptTrainer(TrainablePrompt.From(learner), config, new LossObjective(LossRegistry.Create("dspt")), "fp")
                .Train(features, labels);
            return (Bytes(learner.Context.detach()), metrics);
        }

        using var views = extractor.TrainingViews(paths, config.AugmentedViews, config.Seed);
        using var cached = new CachedTrainingFeatures(views);
        var fromCache = Train(cached);
        var encoded = Train(new EncodedTrainingFeatures(extractor, paths, config.AugmentedViews, config.Seed));
        Assert.Equal(fromCache.Context, encoded.Context);
        Assert.Equal(fromCache.Metrics.Select(m => m.Loss), encoded.Metrics.Select(m => m.Loss));
        Assert.Equal(2, fromCache.Metrics.Count);
    }
}
