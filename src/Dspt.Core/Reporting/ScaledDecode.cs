using Dspt.IO;
using SkiaSharp;

namespace Dspt.Reporting;

/// <summary>Decodes an image file at a reduced size where the codec can (JPEG: 1/2, 1/4, 1/8), so
/// thumbnails of large photos stay cheap. Shared by the contact sheets and the review page.</summary>
public static class ScaledDecode
{
    /// <summary>At least <paramref name="size"/> pixels on the short side (unless the image is
    /// smaller); null when the file is missing, not a regular file (a FIFO would block) or does not
    /// decode completely.</summary>
    public static SKBitmap? Bitmap(string file, int size)
    {
        if (!File.Exists(file) || !InputFile.IsRegular(file)) return null;
        using var codec = SKCodec.Create(file);
        if (codec is null || codec.Info.Width <= 0 || codec.Info.Height <= 0) return null;
        float scale = Math.Min(1f, (float)size / Math.Min(codec.Info.Width, codec.Info.Height));
        var dims = codec.GetScaledDimensions(scale);
        var info = new SKImageInfo(dims.Width, dims.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        if (codec.GetPixels(info, bitmap.GetPixels()) == SKCodecResult.Success) return bitmap;
        bitmap.Dispose();
        return null;
    }
}
