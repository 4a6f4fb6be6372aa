using Dspt.Imaging;
using static TorchSharp.torch;

namespace Dspt.Tests.Imaging;

public class TrainAugmentationTests
{
    static PixelImage RandomImage(int seed, int w, int h, PixelMode mode = PixelMode.Rgb)
    {
        var px = new byte[w * h * (int)mode];
        new Random(seed).NextBytes(px);
        return new PixelImage(w, h, mode, px);
    }

    readonly TrainAugmentation aug = new(224);

    [Fact]
    public void SameSeedGivesTheSameTensorAndOtherSeedsDoNot()
    {
        var image = RandomImage(1, 300, 200);
        using var a = aug.Apply(image, new Random(42));
        using var b = aug.Apply(image, new Random(42));
        using var c = aug.Apply(image, new Random(43));
        Assert.Equal(new long[] { 3, 224, 224 }, a.shape);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.False(a.equal(c).all().item<bool>());
    }

    [Fact]
    public void TensorIsTheNormalizedRgbCropAndBatchesStack()
    {
        var images = new[] { RandomImage(2, 300, 200), RandomImage(3, 90, 120, PixelMode.L), RandomImage(4, 250, 251, PixelMode.Rgba) };
        using var batch = aug.ApplyBatch(images, new Random(5));
        Assert.Equal(new long[] { 3, 3, 224, 224 }, batch.shape);
        var rng = new Random(5);
        for (int i = 0; i < images.Length; i++)
        {
            var rgb = aug.ApplyRgb(images[i], rng);
            Assert.Equal((PixelMode.Rgb, 224, 224), (rgb.Mode, rgb.Width, rgb.Height));
            using var expected = ClipNormalization.ToTensor(rgb);
            using var row = batch[i];
            Assert.True(row.equal(expected).all().item<bool>());
        }
    }

    [Fact]
    public void CropWindowIsTopLeftHeightWidthInSourcePixels()
    {
        // A crop of exactly the output size is not resampled, so the window must come out verbatim.
        var image = RandomImage(6, 300, 260);
        var draw = new AugmentationDraw(new CropWindow(Top: 5, Left: 30, Height: 224, Width: 224), Flip: false);
        Assert.Equal(image.Crop(30, 5, 224, 224).Pixels, aug.ApplyRgb(image, draw).Pixels);

        // Otherwise: torchvision's crop, then a PIL bicubic resize of the cropped image.
        var scaled = new AugmentationDraw(new CropWindow(Top: 17, Left: 3, Height: 101, Width: 150), Flip: false);
        Assert.Equal(PilResize.Resize(image.Crop(3, 17, 150, 101), 224, 224).Pixels, aug.ApplyRgb(image, scaled).Pixels);
    }

    [Fact]
    public void FlipMirrorsTheResizedCrop()
    {
        var image = RandomImage(7, 180, 140, PixelMode.Rgba);
        var crop = new CropWindow(10, 20, 100, 120);
        var plain = aug.ApplyRgb(image, new AugmentationDraw(crop, false));
        var flipped = aug.ApplyRgb(image, new AugmentationDraw(crop, true));
        Assert.Equal(plain.FlipHorizontal().Pixels, flipped.Pixels);
        Assert.NotEqual(plain.Pixels, flipped.Pixels);
        for (int x = 0; x < 224; x++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(plain[x, 50, c], flipped[223 - x, 50, c]);
    }

    [Fact]
    public void FlipProbabilityIsRespected()
    {
        var rng = new Random(8);
        const int n = 4000;
        int flips = Enumerable.Range(0, n).Count(_ => aug.Sample(300, 200, rng).Flip);
        // Binomial(4000, 0.5): sd = 31.6; 5 sd either side fails with probability < 1e-6.
        Assert.InRange(flips, 2000 - 160, 2000 + 160);
        Assert.DoesNotContain(Enumerable.Range(0, 200), _ => new TrainAugmentation(flipProbability: 0).Sample(300, 200, rng).Flip);
        Assert.All(Enumerable.Range(0, 200), _ => Assert.True(new TrainAugmentation(flipProbability: 1).Sample(300, 200, rng).Flip));
    }

    /// <summary>
    /// Every accepted window lies in the image, covers 8%..100% of its area and has an aspect
    /// ratio in [3/4, 4/3], up to the rounding of w and h to integers: each side of a window is at
    /// least s = sqrt(0.08 * area * 3/4), so rounding moves it by a factor within 1 +- 0.5 / s and
    /// area and ratio by a factor within (1 +- 0.5 / s)^2, which <c>slack</c> bounds.
    /// </summary>
    [Theory]
    [InlineData(300, 200)]
    [InlineData(224, 224)]
    [InlineData(97, 131)]
    public void CropParametersStayInTheirRanges(int width, int height)
    {
        var rng = new Random(width * 7 + height);
        double slack = 2.1 * 0.5 / Math.Sqrt(0.08 * width * height * 0.75);
        double minFraction = 1, maxFraction = 0, minRatio = 10, maxRatio = 0;
        for (int i = 0; i < 5000; i++)
        {
            var c = aug.SampleCrop(width, height, rng);
            Assert.InRange(c.Top, 0, height - c.Height);
            Assert.InRange(c.Left, 0, width - c.Width);
            Assert.InRange(c.Width, 1, width);
            Assert.InRange(c.Height, 1, height);
            double fraction = (double)c.Width * c.Height / (width * height), ratio = (double)c.Width / c.Height;
            Assert.InRange(fraction, 0.08 * (1 - slack), 1.0);
            Assert.InRange(ratio, 0.75 * (1 - slack), 4.0 / 3.0 * (1 + slack));
            (minFraction, maxFraction) = (Math.Min(minFraction, fraction), Math.Max(maxFraction, fraction));
            (minRatio, maxRatio) = (Math.Min(minRatio, ratio), Math.Max(maxRatio, ratio));
        }
        // The draws spread over the ranges, not just their middles.
        Assert.True(minFraction < 0.1 && maxFraction > 0.8, $"area fraction range [{minFraction}, {maxFraction}]");
        Assert.True(minRatio < 0.8 && maxRatio > 1.25, $"ratio range [{minRatio}, {maxRatio}]");
    }

    [Fact]
    public void ExtremeAspectRatiosFallBackToTheCentralCrop()
    {
        // 1000x50: any window of >= 8% area with ratio <= 4/3 is taller than 50 px, so all ten
        // tries fail and torchvision's fallback clamps the ratio: h = 50, w = round(50 * 4/3) = 67.
        var rng = new Random(9);
        Assert.Equal(new CropWindow(0, 466, 50, 67), aug.SampleCrop(1000, 50, rng));
        Assert.Equal(new CropWindow(466, 0, 67, 50), aug.SampleCrop(50, 1000, rng));
    }

    [Fact]
    public void RejectsInvalidSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainAugmentation(minScale: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainAugmentation(minScale: 0.5, maxScale: 0.4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainAugmentation(minRatio: 2, maxRatio: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainAugmentation(flipProbability: 1.5));
    }
}
