using SkiaSharp;

namespace Dspt.Imaging;

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF (first frame) and WebP with SkiaSharp into the mode PIL would open
/// and <c>convert</c> them to: grey -> L, opaque colour (palette included) -> RGB, colour with
/// alpha -> RGBA (grey + alpha too, replicated, which resizes exactly like PIL's LA). Pixels are
/// neither premultiplied nor colour-managed (PIL ignores gAMA/iCCP), so PNG pixels are exactly
/// the stored bytes; EXIF orientation is not applied, as PIL's <c>Image.open</c> does not either.
/// <para>
/// Known difference from CLIP's PIL pipeline: PIL keeps palette images (GIF, palette PNG) in mode
/// P, which <c>Image.resize</c> resamples with NEAREST; here they become RGB/RGBA first and get the
/// bicubic resize.
/// </para>
/// </summary>
public static class ImageDecoder
{
    /// <summary>PIL's <c>Image.MAX_IMAGE_PIXELS</c>, 1024 * 1024 * 1024 / 4 / 3.</summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>Compressed image files larger than this are refused before they are read.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Longer than this per unit of width, resizing the short side to 224 explodes the long one.</summary>
    public const int MaxAspectRatio = 256;

    const string Expected = "expected PNG, JPEG, BMP, GIF or WebP";

    public static PixelImage Decode(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = Dspt.IO.InputFile.ReadAllBytes(path, MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidInputException($"image '{path}': cannot read the file ({e.Message})", e);
        }
        return Decode(bytes, path, maxPixels);
    }

    /// <param name="source">Names the image in error messages (its path, or an archive entry).</param>
    public static PixelImage Decode(byte[] bytes, string source, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(source);
        if (maxPixels < 1) throw new ArgumentOutOfRangeException(nameof(maxPixels), $"the pixel limit must be positive, got {maxPixels}");
        if (bytes.Length == 0) throw Bad(source, $"the file is empty (0 bytes), {Expected}");

        using var stream = new SKMemoryStream(bytes);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
            throw Bad(source, created switch
            {
                SKCodecResult.IncompleteInput => "the header is truncated",
                SKCodecResult.Unimplemented or SKCodecResult.InvalidInput => $"not a recognised image format, {Expected}",
                _ => $"the header is corrupt ({created})",
            });
        var format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Bmp
            or SKEncodedImageFormat.Gif or SKEncodedImageFormat.Webp))
            throw Bad(source, $"unsupported image format {format}, {Expected}");

        var info = codec.Info;
        // Checked on the header alone, before any pixel memory exists (decompression bombs).
        long pixels = (long)info.Width * info.Height;
        if (info.Width < 1 || info.Height < 1)
            throw Bad(source, $"the header gives an empty size {info.Width}x{info.Height}");
        if (pixels > maxPixels)
            throw Bad(source, $"{info.Width}x{info.Height} = {pixels} pixels exceeds the limit of {maxPixels} pixels (possible decompression bomb)");
        if (Math.Max(info.Width, info.Height) > MaxAspectRatio * (long)Math.Min(info.Width, info.Height))
            throw Bad(source, $"{info.Width}x{info.Height} is more than {MaxAspectRatio} times as long as it is wide; scaling its short side to CLIP's input size would make an image of billions of pixels");
        if (pixels * 4 > Array.MaxLength)
            throw Bad(source, $"{info.Width}x{info.Height} is too large to decode into one buffer");

        var mode = info.ColorType == SKColorType.Gray8 ? PixelMode.L
            : info.AlphaType == SKAlphaType.Opaque ? PixelMode.Rgb
            : PixelMode.Rgba;
        // No colour space in the target info means no colour conversion; Unpremul keeps
        // straight alpha (Skia would otherwise premultiply, losing colour under low alpha).
        var target = mode == PixelMode.L
            ? new SKImageInfo(info.Width, info.Height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var buffer = new byte[target.BytesSize64];
        var result = codec.GetPixels(target, buffer);
        if (result != SKCodecResult.Success)
            throw Bad(source, result switch
            {
                SKCodecResult.IncompleteInput => $"the {format} data is truncated",
                SKCodecResult.ErrorInInput => $"the {format} data is corrupt",
                _ => $"the {format} data cannot be decoded ({result})",
            });

        return new PixelImage(info.Width, info.Height, mode, mode == PixelMode.Rgb ? DropAlpha(buffer) : buffer);
    }

    static byte[] DropAlpha(byte[] rgba)
    {
        int n = rgba.Length / 4;
        var rgb = new byte[3 * n];
        for (int i = 0; i < n; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }
        return rgb;
    }

    static InvalidInputException Bad(string source, string what) => new($"image '{source}': {what}");
}
