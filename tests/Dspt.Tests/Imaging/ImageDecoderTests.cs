using System.Runtime.InteropServices;
using Dspt.Imaging;
using SkiaSharp;
using Xunit.Abstractions;

namespace Dspt.Tests.Imaging;

public class ImageDecoderTests(ClipPreprocessFixture fx, ITestOutputHelper output) : IClassFixture<ClipPreprocessFixture>
{
    static byte[] RandomBytes(int seed, int n)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void FixturePngsOpenInPilsModeAndSize()
    {
        foreach (var c in fx.Cases.Where(c => c.File.EndsWith(".png")))
        {
            var image = ImageDecoder.Decode(fx.ImagePath(c));
            Assert.Equal((c.Width, c.Height), (image.Width, image.Height));
            Assert.Equal(c.PilMode, image.Mode switch { PixelMode.L => "L", PixelMode.Rgb => "RGB", _ => "RGBA" });
        }
    }

    [Theory]
    [InlineData(TestImageFiles.PngGray, PixelMode.L)]
    [InlineData(TestImageFiles.PngRgb, PixelMode.Rgb)]
    [InlineData(TestImageFiles.PngRgba, PixelMode.Rgba)]
    public void PngPixelsAreTheStoredBytes(byte colorType, PixelMode mode)
    {
        const int w = 23, h = 11;
        var rows = RandomBytes(colorType, w * h * (int)mode);
        if (mode == PixelMode.Rgba)
            for (int i = 0; i < w * h; i++)
                rows[4 * i + 3] = (byte)(i % 3 == 0 ? 0 : rows[4 * i + 3]); // colour under alpha 0 must survive
        var image = ImageDecoder.Decode(TestImageFiles.Png(w, h, colorType, rows), "mem.png");
        Assert.Equal(mode, image.Mode);
        Assert.Equal((w, h), (image.Width, image.Height));
        Assert.Equal(rows, image.Pixels);
    }

    /// <summary>
    /// PIL's "LA" has no equivalent mode here; as RGBA with the grey replicated it resizes exactly
    /// like PIL's LA (Convert.c's lA2la / la2lA use the RGBA premultiply formulas per channel) and
    /// converts to the same RGB.
    /// </summary>
    [Fact]
    public void GreyAlphaPngBecomesRgbaWithReplicatedGrey()
    {
        var la = RandomBytes(17, 6 * 4 * 2);
        var image = ImageDecoder.Decode(TestImageFiles.Png(6, 4, TestImageFiles.PngGrayAlpha, la), "la.png");
        Assert.Equal(PixelMode.Rgba, image.Mode);
        var expected = Enumerable.Range(0, 24).SelectMany(i => new[] { la[2 * i], la[2 * i], la[2 * i], la[2 * i + 1] }).ToArray();
        Assert.Equal(expected, image.Pixels);
    }

    [Theory]
    [InlineData(TestImageFiles.PngRgb, 3)]
    [InlineData(TestImageFiles.PngRgba, 4)]
    public void GammaChunkDoesNotChangePixels(byte colorType, int channels)
    {
        // gAMA 1.0 would brighten every mid-tone if the decoder colour-managed to sRGB; PIL ignores it.
        const int w = 16, h = 16;
        var rows = RandomBytes(11, w * h * channels);
        if (channels == 4) for (int i = 3; i < rows.Length; i += 4) rows[i] = (byte)(40 + i % 200);
        var image = ImageDecoder.Decode(TestImageFiles.Png(w, h, colorType, rows, gamma: 100000), "gamma.png");
        Assert.Equal(rows, image.Pixels);
    }

    [Fact]
    public void PalettePngBecomesRgbOrRgbaLikePilConvert()
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        byte[] indices = [0, 1, 2, 3, 3, 2, 1, 0];
        var rgb = ImageDecoder.Decode(TestImageFiles.Png(4, 2, TestImageFiles.PngPalette, indices, palette), "p.png");
        Assert.Equal(PixelMode.Rgb, rgb.Mode);
        Assert.Equal(indices.SelectMany(i => palette.Skip(3 * i).Take(3)).ToArray(), rgb.Pixels);

        byte[] alphas = [255, 128, 0, 255];
        var rgba = ImageDecoder.Decode(TestImageFiles.Png(4, 2, TestImageFiles.PngPalette, indices, palette, alphas), "pa.png");
        Assert.Equal(PixelMode.Rgba, rgba.Mode);
        Assert.Equal(indices.SelectMany(i => palette.Skip(3 * i).Take(3).Append(alphas[i])).ToArray(), rgba.Pixels);
    }

    [Fact]
    public void BmpDecodesExactly()
    {
        const int w = 7, h = 5; // 21-byte rows exercise the 4-byte row padding
        var rgb = RandomBytes(12, w * h * 3);
        var image = ImageDecoder.Decode(TestImageFiles.Bmp(w, h, rgb), "a.bmp");
        Assert.Equal(PixelMode.Rgb, image.Mode);
        Assert.Equal(rgb, image.Pixels);
    }

    [Fact]
    public void GifDecodesItsFirstFrame()
    {
        const int w = 5, h = 3;
        byte[] palette = [0, 0, 0, 200, 10, 10, 10, 200, 10, 10, 10, 200];
        var first = Enumerable.Range(0, w * h).Select(i => (byte)(i % 4)).ToArray();
        var second = Enumerable.Range(0, w * h).Select(i => (byte)(3 - i % 4)).ToArray();
        var image = ImageDecoder.Decode(TestImageFiles.Gif(w, h, palette, first, second), "anim.gif");
        Assert.Equal(PixelMode.Rgb, image.Mode);
        Assert.Equal(first.SelectMany(i => palette.Skip(3 * i).Take(3)).ToArray(), image.Pixels);
    }

    [Fact]
    public void LosslessWebpDecodesExactlyWithAlpha()
    {
        const int w = 12, h = 9;
        var rgba = RandomBytes(13, w * h * 4);
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = (byte)(i % 2 == 0 ? 255 : 1 + rgba[i] % 254);
        var webp = Encode(w, h, rgba, SKColorType.Rgba8888, SKAlphaType.Unpremul,
            p => p.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))!);
        var image = ImageDecoder.Decode(webp, "a.webp");
        Assert.Equal(PixelMode.Rgba, image.Mode);
        Assert.Equal(rgba, image.Pixels);
    }

    [Fact]
    public void GrayJpegDecodesAsL()
    {
        var gray = Enumerable.Range(0, 32 * 16).Select(i => (byte)(i % 32 * 8)).ToArray();
        var jpeg = Encode(32, 16, gray, SKColorType.Gray8, SKAlphaType.Opaque,
            p => p.Encode(new SKJpegEncoderOptions(95, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore))!);
        var image = ImageDecoder.Decode(jpeg, "g.jpg");
        Assert.Equal(PixelMode.L, image.Mode);
        Assert.Equal((32, 16), (image.Width, image.Height));
        // Quality 95 on a horizontal ramp: only compression noise of a few levels.
        Assert.All(Enumerable.Range(0, gray.Length), i => Assert.InRange(image.Pixels[i] - gray[i], -8, 8));
    }

    /// <summary>
    /// libjpeg-turbo in Skia and PIL's libjpeg can differ slightly (IDCT variant, rounding), which
    /// is why the fixture stores PIL's pixels. We observed an exact match; the bound of 3 levels
    /// allows for a different but standard-conforming IDCT (the JPEG spec's accuracy test for an
    /// IDCT permits a 1-level peak error per 8x8 block before colour conversion, and the YCbCr ->
    /// RGB conversion can amplify chroma errors by up to ~1.8).
    /// </summary>
    [Fact]
    public void JpegDecodeIsCloseToPils()
    {
        const string name = "rgb_160x120_jpeg";
        var ours = ImageDecoder.Decode(fx.ImagePath(fx.Case(name)));
        var pil = fx.DecodedRgb(name);
        Assert.Equal(PixelMode.Rgb, ours.Mode);
        Assert.Equal((pil.Width, pil.Height), (ours.Width, ours.Height));
        int max = 0, differing = 0;
        for (int i = 0; i < pil.Pixels.Length; i++)
        {
            int d = Math.Abs(ours.Pixels[i] - pil.Pixels[i]);
            max = Math.Max(max, d);
            if (d != 0) differing++;
        }
        output.WriteLine($"JPEG: Skia vs PIL max {max} levels, {differing} of {pil.Pixels.Length} values differ");
        Assert.True(max <= 3, $"max {max} levels");
    }

    // ---- bad input ---------------------------------------------------------------------------

    static InvalidInputException Refuses(TempDir dir, string name, byte[] bytes, long maxPixels = ImageDecoder.DefaultMaxPixels)
    {
        var path = dir[name];
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(path, maxPixels));
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void RefusesTruncatedPng()
    {
        using var dir = Repo.Temp();
        var full = File.ReadAllBytes(fx.ImagePath(fx.Case("rgb_300x200")));
        Assert.Contains("truncated", Refuses(dir, "cut.png", full[..(full.Length / 2)]).Message);
        Assert.Contains("truncated", Refuses(dir, "header.png", full[..20]).Message);
    }

    [Fact]
    public void RefusesCorruptPngData()
    {
        using var dir = Repo.Temp();
        var rows = RandomBytes(14, 20 * 20 * 3);
        var png = TestImageFiles.Png(20, 20, TestImageFiles.PngRgb, rows);
        // Flip bits in the middle of the IDAT payload: the zlib stream or its checksums break.
        for (int i = 60; i < 80; i++) png[i] ^= 0x5A;
        Refuses(dir, "corrupt.png", png);
    }

    [Fact]
    public void RefusesRandomBytesAndEmptyFiles()
    {
        using var dir = Repo.Temp();
        var noise = RandomBytes(15, 4096);
        noise[0] = (byte)'#'; // no image signature starts with '#'
        Assert.Contains("not a recognised image format", Refuses(dir, "noise.jpg", noise).Message);
        Assert.Contains("empty", Refuses(dir, "empty.png", []).Message);
    }

    [Fact]
    public void RefusesImagesOverThePixelLimitBeforeDecoding()
    {
        using var dir = Repo.Temp();
        var png = File.ReadAllBytes(fx.ImagePath(fx.Case("rgb_300x200")));
        Assert.Contains("exceeds the limit of 59999 pixels", Refuses(dir, "big.png", png, maxPixels: 59_999).Message);
        Assert.Equal(60_000, ImageDecoder.Decode(png, "ok.png", maxPixels: 60_000).Width * 200);

        // A 50000 x 50000 header over a one-row payload: only a header check can refuse it
        // without trying to allocate 10 GB.
        var bomb = TestImageFiles.Png(1, 1, TestImageFiles.PngRgb, [1, 2, 3]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bomb.AsSpan(16), 50_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bomb.AsSpan(20), 50_000);
        FixIhdrCrc(bomb);
        Assert.Contains("decompression bomb", Refuses(dir, "bomb.png", bomb).Message);
    }

    static void FixIhdrCrc(byte[] png)
    {
        uint c = 0xFFFFFFFF;
        for (int i = 12; i < 12 + 4 + 13; i++)
        {
            c ^= png[i];
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), ~c);
    }

    [Fact]
    public void RefusesFormatsOutsideTheSupportedSet()
    {
        using var dir = Repo.Temp();
        var png = TestImageFiles.Png(2, 2, TestImageFiles.PngRgba, RandomBytes(16, 16));
        // Skia reads ICO, but PIL-compatible preprocessing is only promised for the five formats.
        Assert.Contains("unsupported image format Ico", Refuses(dir, "icon.ico", TestImageFiles.IcoWithPng(png, 2)).Message);
        byte[] tiff = [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Contains("not a recognised image format", Refuses(dir, "scan.tif", tiff).Message);
    }

    [Fact]
    public void RefusesAMissingFile()
    {
        using var dir = Repo.Temp();
        var path = dir["nothing-here.png"];
        var e = Assert.Throws<InvalidInputException>(() => ImageDecoder.Decode(path));
        Assert.Contains(path, e.Message);
    }

    static byte[] Encode(int w, int h, byte[] pixels, SKColorType type, SKAlphaType alpha, Func<SKPixmap, SKData> encode)
    {
        var info = new SKImageInfo(w, h, type, alpha);
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = encode(pixmap);
            return data.ToArray();
        }
        finally { handle.Free(); }
    }
}
