using Dspt.Pretraining;
using Dspt.World;
using static TorchSharp.torch;

namespace Dspt.Tests.Pretraining;

public class PretrainBatchesTests
{
    [Fact]
    public void ABatchHasImagesAndTheirCaptions()
    {
        var batches = new PretrainBatches(WorldSpec.Pretraining, seed: 9, batchSize: 16);
        using var batch = batches.Batch(3);
        Assert.Equal(new long[] { 16, 3, 64, 64 }, batch.Images.shape);
        Assert.Equal(ScalarType.Float32, batch.Images.dtype);
        var items = batches.Items(3);
        Assert.Equal(items.Select(it => it.Caption), batch.Captions);
    }

    /// <summary>
    /// The tensor against a float64 recomputation of CLIP's normalisation from the rendered bytes;
    /// 1e-5 covers float32 rounding of values within about +-2.2.
    /// </summary>
    [Fact]
    public void ImagesAreTheRenderedScenesNormalisedLikeClip()
    {
        double[] mean = [0.48145466, 0.4578275, 0.40821073], std = [0.26862954, 0.26130258, 0.27577711];
        var batches = new PretrainBatches(WorldSpec.Pretraining, seed: 9, batchSize: 4);
        using var batch = batches.Batch(0);
        var values = batch.Images.data<float>().ToArray();
        var items = batches.Items(0);
        for (int n = 0; n < 4; n++)
        {
            var rgb = WorldRenderer.Render(items[n].Scene);
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 64 * 64; p++)
                {
                    double expected = (rgb[3 * p + c] / 255.0 - mean[c]) / std[c];
                    Assert.True(Math.Abs(values[((n * 3) + c) * 4096 + p] - expected) < 1e-5, $"image {n} channel {c} pixel {p}");
                }
        }
    }

    [Fact]
    public void BatchesAreDeterministicAndIndependentOfThreads()
    {
        var batches = new PretrainBatches(WorldSpec.Pretraining, seed: 9, batchSize: 32);
        using var a = batches.Batch(5, threads: 1);
        using var b = new PretrainBatches(WorldSpec.Pretraining, seed: 9, batchSize: 32).Batch(5, threads: 2);
        using var c = batches.Batch(6);
        Assert.Equal(a.Images.data<float>().ToArray(), b.Images.data<float>().ToArray());
        Assert.Equal(a.Captions, b.Captions);
        Assert.NotEqual(a.Images.data<float>().ToArray(), c.Images.data<float>().ToArray());

        var steps = batches.Steps(5, 2).ToArray();
        Assert.Equal(a.Captions, steps[0].Captions);
        Assert.Equal(c.Captions, steps[1].Captions);
        foreach (var step in steps) step.Dispose();
    }

    [Fact]
    public void EachBatchHasTwoColoursAndTwoTonesButAllAppearOverSteps()
    {
        var batches = new PretrainBatches(WorldSpec.Pretraining, seed: 1);
        var colours = new HashSet<ObjectColour>();
        var tones = new HashSet<Tone>();
        var shapesPerBatch = new List<int>();
        for (int step = 0; step < 40; step++)
        {
            var scenes = batches.Items(step).Select(it => it.Scene).ToArray();
            Assert.Equal(128, scenes.Length);
            Assert.Equal(2, scenes.Select(s => s.Colour).Distinct().Count());
            Assert.InRange(scenes.Select(s => s.Tone).Distinct().Count(), 1, 2);
            colours.UnionWith(scenes.Select(s => s.Colour));
            tones.UnionWith(scenes.Select(s => s.Tone));
            shapesPerBatch.Add(scenes.Select(s => s.Shape).Distinct().Count());
        }
        Assert.Equal(Enum.GetValues<ObjectColour>().ToHashSet(), colours);
        Assert.Equal(Enum.GetValues<Tone>().ToHashSet(), tones);
        // Shapes are not narrowed, only tilted towards the 4 typical of the batch's 2 colours: a
        // scene is a given typical shape with probability r/4 + (1-r)/20, any other with (1-r)/20,
        // which sets the expected number of distinct shapes in 128 scenes. Per batch that number's
        // standard deviation is below 1.7, so +-1.35 is 5 standard errors of the mean of 40 batches.
        double r = WorldSpec.Pretraining.TypicalColourRate;
        double Seen(double p) => 1 - Math.Pow(1 - p, 128);
        double expected = 4 * Seen(r / 4 + (1 - r) / 20) + 16 * Seen((1 - r) / 20);
        Assert.InRange(shapesPerBatch.Average(), expected - 1.35, expected + 1.35);
    }

    [Fact]
    public void BadSettingsAreRejected()
    {
        Assert.Throws<InvalidInputException>(() => new PretrainBatches(WorldSpec.Pretraining, 1, batchSize: 0));
        Assert.Throws<InvalidInputException>(() => new PretrainBatches(WorldSpec.Pretraining, 1, coloursPerBatch: 11));
        Assert.Throws<InvalidInputException>(() => new PretrainBatches(WorldSpec.Pretraining, 1, tonesPerBatch: 0));
    }
}
