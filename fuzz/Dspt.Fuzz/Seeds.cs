using System.Text;
using SkiaSharp;

namespace Dspt.Fuzz;

/// <summary>Small valid inputs, generated in code.</summary>
public static class Seeds
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Bytes that <paramref name="write"/> puts into a file.</summary>
    public static byte[] Written(string dir, string name, Action<string> write)
    {
        string path = Path.Combine(dir, "seed-" + name);
        write(path);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    public static byte[] Image(int width, int height, SKEncodedImageFormat format, SKColorType color = SKColorType.Rgba8888, SKAlphaType alpha = SKAlphaType.Unpremul, int seed = 0)
    {
        var info = new SKImageInfo(width, height, color, alpha);
        using var bitmap = new SKBitmap(info);
        var rng = new Random(seed);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)rng.Next(256), (byte)(x * 17), (byte)(y * 29), (byte)(alpha == SKAlphaType.Opaque ? 255 : rng.Next(256))));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>A 24-bit bottom-up BMP (Skia cannot encode BMP).</summary>
    public static byte[] Bmp(int width, int height)
    {
        int row = (width * 3 + 3) / 4 * 4, size = 54 + row * height;
        var b = new byte[size];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BitConverter.GetBytes(size).CopyTo(b, 2);
        BitConverter.GetBytes(54).CopyTo(b, 10);
        BitConverter.GetBytes(40).CopyTo(b, 14);
        BitConverter.GetBytes(width).CopyTo(b, 18);
        BitConverter.GetBytes(height).CopyTo(b, 22);
        BitConverter.GetBytes((short)1).CopyTo(b, 26);
        BitConverter.GetBytes((short)24).CopyTo(b, 28);
        BitConverter.GetBytes(row * height).CopyTo(b, 34);
        for (int i = 54; i < size; i++) b[i] = (byte)(i * 7);
        return b;
    }

    /// <summary>A tiny JPEG for dataset folders.</summary>
    public static void JpegFile(string path, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Image(6, 5, SKEncodedImageFormat.Jpeg, SKColorType.Rgba8888, SKAlphaType.Opaque, seed));
    }
}
