using Dspt.Tests.Imaging;

namespace Dspt.Tests.Training;

/// <summary>
/// Small PNGs whose colour depends on the class (plus seeded pixel noise and varying sizes, so
/// resize, crop and augmentation all do real work): enough for a tiny model to learn something.
/// </summary>
static class SyntheticImages
{
    static readonly byte[][] Colours = [[220, 40, 40], [40, 200, 60], [50, 60, 220], [230, 200, 40], [160, 60, 200], [40, 200, 200]];

    public static string Write(string path, int label, int seed)
    {
        var random = new Random(seed);
        int width = 36 + random.Next(20), height = 34 + random.Next(20);
        var colour = Colours[label % Colours.Length];
        var rows = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    // A gradient across the image, so crops and flips change the pixels.
                    int v = colour[c] * (x + width) / (2 * width) + random.Next(-30, 31);
                    rows[(y * width + x) * 3 + c] = (byte)Math.Clamp(v, 0, 255);
                }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestImageFiles.Png(width, height, TestImageFiles.PngRgb, rows));
        return path;
    }

    /// <summary>Images i = 0..n-1 of class i % classes under <paramref name="dir"/>.</summary>
    public static (List<string> Paths, long[] Labels) WriteSet(string dir, int n, int classes, int seed)
    {
        var paths = Enumerable.Range(0, n).Select(i => Write(Path.Combine(dir, $"img{i:000}.png"), i % classes, seed * 1000 + i)).ToList();
        return (paths, [.. Enumerable.Range(0, n).Select(i => (long)(i % classes))]);
    }
}
