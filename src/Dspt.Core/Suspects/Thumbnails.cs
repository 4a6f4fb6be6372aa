using SkiaSharp;

namespace Dspt.Suspects;

/// <summary>Small PNGs of training images for the review page (at most <c>size</c> pixels on the short side).</summary>
public static class Thumbnails
{
    public const int DefaultSize = 96;

    /// <summary>null when the file is missing or does not decode.</summary>
    public static byte[]? FromFile(string file, int size = DefaultSize)
    {
        using var bitmap = Reporting.ScaledDecode.Bitmap(file, size);
        if (bitmap is null) return null;
        return Encode(bitmap, size);
    }

    /// <summary>From packed RGB bytes (row-major, 3 per pixel), as the built-in world renders them.</summary>
    public static byte[] FromRgb(byte[] rgb, int width, int height, int size = DefaultSize)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"expected {width}x{height}x3 bytes, got {rgb.Length}");
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = Reporting.OpaqueRgba.FromRgb(rgb);
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return Encode(bitmap, size);
    }

    static byte[] Encode(SKBitmap bitmap, int size)
    {
        float scale = (float)size / Math.Min(bitmap.Width, bitmap.Height);
        SKBitmap? resized = null;
        if (scale < 1)
            resized = bitmap.Resize(new SKImageInfo(Math.Max(1, (int)(bitmap.Width * scale)), Math.Max(1, (int)(bitmap.Height * scale))), SKSamplingOptions.Default);
        using var image = SKImage.FromBitmap(resized ?? bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        resized?.Dispose();
        return png.ToArray();
    }
}
