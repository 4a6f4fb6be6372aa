using Dspt.Imaging;
using Xunit.Abstractions;

namespace Dspt.Tests.Imaging;

public class PilResizeTests(ITestOutputHelper output)
{
    static PixelImage RandomImage(Random rng, int w, int h, PixelMode mode)
    {
        var px = new byte[w * h * (int)mode];
        rng.NextBytes(px);
        return new PixelImage(w, h, mode, px);
    }

    [Theory]
    [InlineData(PixelMode.L)]
    [InlineData(PixelMode.Rgb)]
    [InlineData(PixelMode.Rgba)]
    public void SameSizeIsAnIdentityCopy(PixelMode mode)
    {
        var image = RandomImage(new Random(1), 13, 9, mode);
        var same = PilResize.Resize(image, 13, 9);
        Assert.Equal(image.Pixels, same.Pixels);
        Assert.NotSame(image.Pixels, same.Pixels);
    }

    /// <summary>
    /// An independent float64 version of the same filter: every source pixel weighted by the
    /// a = -0.5 cubic at its distance from the output centre, with the kernel widened by the
    /// downscale factor, weights renormalised over the pixels inside the image, horizontal pass
    /// first, round-half-up and clamp to uint8 after each pass. Pillow's 22-bit fixed-point
    /// weights perturb each sum by far less than 0.5, so the two can only disagree where a sum
    /// lies next to a rounding boundary: by one level per pass, and the second pass damps the
    /// first pass's one-level difference to at most one level again.
    /// </summary>
    [Theory]
    [InlineData(PixelMode.L, 50, 80, 224, 358)]
    [InlineData(PixelMode.Rgb, 300, 200, 123, 77)]
    [InlineData(PixelMode.Rgb, 17, 33, 101, 29)]
    [InlineData(PixelMode.Rgb, 64, 64, 64, 17)]
    [InlineData(PixelMode.L, 40, 30, 13, 30)]
    [InlineData(PixelMode.Rgb, 1, 9, 5, 3)]
    [InlineData(PixelMode.Rgb, 997, 31, 224, 224)]
    public void AgreesWithFloat64ReferenceWithinOneLevel(PixelMode mode, int inW, int inH, int outW, int outH)
    {
        var image = RandomImage(new Random(inW * 1000 + outW), inW, inH, mode);
        var ours = PilResize.Resize(image, outW, outH);
        var naive = NaiveResize(image, outW, outH, ResizeBox.Full(inW, inH));
        var (max, count) = MaxDiff(ours.Pixels, naive);
        output.WriteLine($"{mode} {inW}x{inH} -> {outW}x{outH}: max diff {max}, {count} of {naive.Length} differ");
        Assert.True(max <= 1, $"max diff {max} levels");
        Assert.True(count <= naive.Length / 100, $"{count} values differ");
    }

    [Theory]
    [InlineData(3.25f, 1.5f, 47.75f, 30.0f, 20, 31)]
    [InlineData(0.5f, 0f, 63.5f, 48f, 9, 5)]
    [InlineData(10f, 7.3f, 11f, 8.3f, 4, 4)]
    public void FractionalBoxAgreesWithFloat64ReferenceWithinOneLevel(float l, float t, float r, float b, int outW, int outH)
    {
        var image = RandomImage(new Random(5), 64, 48, PixelMode.Rgb);
        var box = new ResizeBox(l, t, r, b);
        var ours = PilResize.Resize(image, outW, outH, box);
        var naive = NaiveResize(image, outW, outH, box);
        var (max, count) = MaxDiff(ours.Pixels, naive);
        output.WriteLine($"box {box} -> {outW}x{outH}: max diff {max}, {count} differ");
        Assert.True(max <= 1, $"max diff {max} levels");
        Assert.True(count <= Math.Max(1, naive.Length / 100), $"{count} values differ");
    }

    [Fact]
    public void FullBoxEqualsNoBox()
    {
        var image = RandomImage(new Random(2), 40, 30, PixelMode.Rgb);
        Assert.Equal(PilResize.Resize(image, 17, 50).Pixels,
                     PilResize.Resize(image, 17, 50, ResizeBox.Full(40, 30)).Pixels);
    }

    [Fact]
    public void IntegerBoxOfOutputSizeIsACrop()
    {
        var image = RandomImage(new Random(3), 40, 30, PixelMode.Rgb);
        Assert.Equal(image.Crop(5, 4, 20, 11).Pixels, PilResize.Resize(image, 20, 11, new ResizeBox(5, 4, 25, 15)).Pixels);
    }

    /// <summary>
    /// Resizing a box of the full image and resizing the cropped image use the same weights
    /// (both centre output pixel i at box start + (i + 0.5) * scale); they differ only where the
    /// kernel reaches past the box, where the box version reads the neighbouring pixels and the
    /// crop version renormalises over the crop. So the outputs agree exactly on every pixel whose
    /// kernel stays inside the box in both directions, and there must be such pixels.
    /// </summary>
    [Theory]
    [InlineData(10, 7, 50, 40, 17, 13)]
    [InlineData(3, 2, 33, 42, 61, 80)]
    public void BoxResizeEqualsCropThenResizeAwayFromTheBoxEdges(int left, int top, int right, int bottom, int outW, int outH)
    {
        var image = RandomImage(new Random(4), 64, 48, PixelMode.Rgb);
        var viaBox = PilResize.Resize(image, outW, outH, new ResizeBox(left, top, right, bottom));
        var viaCrop = PilResize.Resize(image.Crop(left, top, right - left, bottom - top), outW, outH);
        var insideX = InsideKernel(right - left, outW);
        var insideY = InsideKernel(bottom - top, outH);
        int compared = 0;
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                if (!insideX[x] || !insideY[y]) continue;
                for (int c = 0; c < 3; c++) Assert.Equal(viaCrop[x, y, c], viaBox[x, y, c]);
                compared++;
            }
        Assert.True(compared >= outW * outH / 4, $"only {compared} interior pixels compared");
    }

    static bool[] InsideKernel(int boxSize, int outSize)
    {
        double scale = (double)boxSize / outSize, support = 2.0 * Math.Max(scale, 1.0);
        return Enumerable.Range(0, outSize).Select(i =>
        {
            double center = (i + 0.5) * scale;
            return center - support + 0.5 >= 0 && center + support + 0.5 <= boxSize;
        }).ToArray();
    }

    [Fact]
    public void OpaqueRgbaResizesLikeRgb()
    {
        var rgb = RandomImage(new Random(6), 37, 23, PixelMode.Rgb);
        var rgba = new byte[37 * 23 * 4];
        for (int i = 0; i < 37 * 23; i++)
        {
            rgba[4 * i] = rgb.Pixels[3 * i];
            rgba[4 * i + 1] = rgb.Pixels[3 * i + 1];
            rgba[4 * i + 2] = rgb.Pixels[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        var a = PilResize.Resize(new PixelImage(37, 23, PixelMode.Rgba, rgba), 50, 11);
        var b = PilResize.Resize(rgb, 50, 11);
        Assert.Equal(b.Pixels, a.ToRgb().Pixels);
        Assert.All(Enumerable.Range(0, 50 * 11), i => Assert.Equal(255, a.Pixels[4 * i + 3]));
    }

    [Fact]
    public void ColourUnderZeroAlphaDoesNotBleed()
    {
        // Left half: pure red at alpha 0; right half: opaque blue. Premultiplied resizing gives the
        // red zero weight, so no output pixel may have any red; a straight resize would blend it in.
        const int w = 40, h = 10;
        var px = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = 4 * (y * w + x);
                if (x < w / 2) { px[i] = 255; px[i + 3] = 0; }
                else { px[i + 2] = 255; px[i + 3] = 255; }
            }
        var resized = PilResize.Resize(new PixelImage(w, h, PixelMode.Rgba, px), 13, 7);
        for (int i = 0; i < 13 * 7; i++)
            Assert.Equal(0, resized.Pixels[4 * i]);
        Assert.Contains(Enumerable.Range(0, 13 * 7), i => resized.Pixels[4 * i + 3] is > 0 and < 255);
    }

    /// <summary>
    /// RGBA against a float64 premultiply / resize / unpremultiply. Pillow rounds the premultiplied
    /// values to uint8 before and between the passes; each such half-level error is scaled by
    /// 255 / alpha when unpremultiplying, and Pillow truncates that division. With output alpha
    /// >= 128 the scale is <= 2, so 2 x (1 + 0.5) + 1 levels bound the difference: we allow 4.
    /// </summary>
    [Fact]
    public void RgbaAgreesWithFloat64PremultipliedReferenceWhereOpaqueEnough()
    {
        var image = RandomImage(new Random(8), 90, 70, PixelMode.Rgba);
        var ours = PilResize.Resize(image, 41, 53);
        var naive = NaiveResize(image, 41, 53, ResizeBox.Full(90, 70));
        int max = 0, compared = 0;
        for (int i = 0; i < 41 * 53; i++)
        {
            Assert.InRange(Math.Abs(ours.Pixels[4 * i + 3] - naive[4 * i + 3]), 0, 1);
            if (ours.Pixels[4 * i + 3] < 128) continue;
            compared++;
            for (int c = 0; c < 3; c++) max = Math.Max(max, Math.Abs(ours.Pixels[4 * i + c] - naive[4 * i + c]));
        }
        output.WriteLine($"RGBA: max colour diff {max} levels over {compared} pixels with alpha >= 128");
        Assert.True(compared > 100);
        Assert.True(max <= 4, $"max diff {max}");
    }

    [Fact]
    public void RejectsBadSizesAndBoxes()
    {
        var image = RandomImage(new Random(9), 10, 10, PixelMode.L);
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResize.Resize(image, 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResize.Resize(image, 5, 5, new ResizeBox(-1, 0, 5, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResize.Resize(image, 5, 5, new ResizeBox(0, 0, 10.5f, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PilResize.Resize(image, 5, 5, new ResizeBox(6, 0, 5, 5)));
    }

    static (int Max, int Count) MaxDiff(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        int max = 0, count = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = Math.Abs(a[i] - b[i]);
            max = Math.Max(max, d);
            if (d != 0) count++;
        }
        return (max, count);
    }

    // ---- float64 reference -------------------------------------------------------------------

    static double Cubic(double x)
    {
        x = Math.Abs(x);
        return x < 1 ? 1.5 * x * x * x - 2.5 * x * x + 1
             : x < 2 ? -0.5 * x * x * x + 2.5 * x * x - 4 * x + 2
             : 0;
    }

    /// <summary>Row o of the result: weights over all n source pixels for output pixel o.</summary>
    static double[][] Weights(int n, double start, double end, int outSize)
    {
        double scale = (end - start) / outSize, widen = Math.Max(scale, 1.0);
        var rows = new double[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double center = start + (o + 0.5) * scale;
            var w = new double[n];
            for (int i = 0; i < n; i++) w[i] = Cubic((i + 0.5 - center) / widen);
            double sum = w.Sum();
            if (sum != 0) for (int i = 0; i < n; i++) w[i] /= sum;
            rows[o] = w;
        }
        return rows;
    }

    static byte ToByte(double v) => (byte)Math.Clamp(Math.Floor(v + 0.5), 0, 255);

    static byte[] NaiveResize(PixelImage image, int outW, int outH, ResizeBox box)
    {
        int ch = image.Channels, w = image.Width, h = image.Height;
        bool rgba = image.Mode == PixelMode.Rgba;
        var src = new double[image.Pixels.Length];
        for (int i = 0; i < src.Length; i++)
        {
            double v = image.Pixels[i];
            src[i] = rgba && i % 4 != 3 ? Math.Round(v * image.Pixels[i - i % 4 + 3] / 255.0) : v;
        }
        var wx = Weights(w, box.Left, box.Right, outW);
        var wy = Weights(h, box.Top, box.Bottom, outH);
        var mid = new double[h * outW * ch];
        for (int y = 0; y < h; y++)
            for (int o = 0; o < outW; o++)
                for (int c = 0; c < ch; c++)
                {
                    double s = 0;
                    for (int x = 0; x < w; x++) s += wx[o][x] * src[(y * w + x) * ch + c];
                    mid[(y * outW + o) * ch + c] = ToByte(s);
                }
        var dst = new byte[outW * outH * ch];
        for (int o = 0; o < outH; o++)
            for (int x = 0; x < outW; x++)
                for (int c = 0; c < ch; c++)
                {
                    double s = 0;
                    for (int y = 0; y < h; y++) s += wy[o][y] * mid[(y * outW + x) * ch + c];
                    dst[(o * outW + x) * ch + c] = ToByte(s);
                }
        if (rgba)
            for (int i = 0; i < dst.Length; i += 4)
            {
                int a = dst[i + 3];
                if (a is 0 or 255) continue;
                for (int c = 0; c < 3; c++) dst[i + c] = ToByte(dst[i + c] * 255.0 / a);
            }
        return dst;
    }
}
