using Dspt.World;

namespace Dspt.Tests.World;

/// <summary>Reads objects back out of rendered images, independently of how they were drawn.</summary>
static class WorldPixels
{
    /// <summary>A filled, noise-free scene on a plain background with the given copies.</summary>
    public static Scene Plain(Shape shape, ObjectColour colour, Tone tone, params Placement[] objects) =>
        new(shape, colour, ObjectSize.Big, Style.Filled, objects, Texture.Plain, tone,
            TexturePeriod: 6, TextureAngleDegrees: 0, TexturePhase: 0, NoiseSeed: 1, Opacity: 1, NoiseSigma: 0);

    /// <summary>
    /// Per pixel, how much of the object colour (versus the background tone) it shows: the
    /// projection of (pixel - tone) onto (colour - tone). Valid for plain backgrounds.
    /// </summary>
    public static double[] Coverage(byte[] rgb, ObjectColour colour, Tone tone)
    {
        var c = WorldPalette.Rgb(colour);
        var t = WorldPalette.Rgb(tone);
        double[] span = [c.Red - t.Red, c.Green - t.Green, c.Blue - t.Blue];
        double norm2 = span.Sum(s => s * s);
        double[] baseTone = [t.Red, t.Green, t.Blue];
        var coverage = new double[rgb.Length / 3];
        for (int p = 0; p < coverage.Length; p++)
        {
            double dot = 0;
            for (int k = 0; k < 3; k++) dot += (rgb[3 * p + k] - baseTone[k]) * span[k];
            coverage[p] = dot / norm2;
        }
        return coverage;
    }

    /// <summary>Number of 8-connected groups of pixels with coverage above one half.</summary>
    public static int Components(double[] coverage)
    {
        const int size = WorldRenderer.Size;
        var seen = new bool[coverage.Length];
        int groups = 0;
        for (int start = 0; start < coverage.Length; start++)
        {
            if (seen[start] || coverage[start] <= 0.5) continue;
            groups++;
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.Count > 0)
            {
                int p = stack.Pop(), x = p % size, y = p / size;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy, q = ny * size + nx;
                        if (nx < 0 || ny < 0 || nx >= size || ny >= size || seen[q] || coverage[q] <= 0.5) continue;
                        seen[q] = true;
                        stack.Push(q);
                    }
            }
        }
        return groups;
    }

    /// <summary>Coverage-weighted centre of the object pixels.</summary>
    public static (double X, double Y) Centroid(double[] coverage)
    {
        const int size = WorldRenderer.Size;
        double sum = 0, sx = 0, sy = 0;
        for (int p = 0; p < coverage.Length; p++)
        {
            double w = Math.Clamp(coverage[p], 0, 1);
            sum += w;
            sx += w * (p % size + 0.5);
            sy += w * (p / size + 0.5);
        }
        return (sx / sum, sy / sum);
    }
}
