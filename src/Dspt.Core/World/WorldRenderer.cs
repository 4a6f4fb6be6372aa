using SkiaSharp;

namespace Dspt.World;

/// <summary>
/// Draws a Scene as a 64x64 RGB image (row-major, HWC, one byte per channel): the background
/// and its texture (BackgroundTexture), then the copies of the object as antialiased SkiaSharp
/// paths, then pixel noise for the Noisy style. A pure function of the Scene; thread-safe.
/// </summary>
public static class WorldRenderer
{
    public const int Size = 64;

    /// <summary>Width in pixels of an Outline object's stroke: thin next to a ring's or frame's band.</summary>
    const float OutlineWidth = 1.6f;

    public static byte[] Render(Scene scene)
    {
        var rgb = new byte[Size * Size * 3];
        Render(scene, rgb);
        return rgb;
    }

    public static void Render(Scene scene, Span<byte> rgb)
    {
        if (rgb.Length != Size * Size * 3)
            throw new ArgumentException($"the image buffer must hold {Size}x{Size}x3 bytes, got {rgb.Length}", nameof(rgb));
        var rgba = new byte[Size * Size * 4];
        Draw(scene, rgba);
        for (int p = 0; p < Size * Size; p++)
        {
            rgb[3 * p] = rgba[4 * p];
            rgb[3 * p + 1] = rgba[4 * p + 1];
            rgb[3 * p + 2] = rgba[4 * p + 2];
        }
        if (scene.NoiseSigma > 0)
            AddNoise(rgb, scene.NoiseSigma, scene.NoiseSeed);
    }

    static unsafe void Draw(Scene scene, byte[] rgba)
    {
        BackgroundTexture.Paint(scene, rgba);
        var info = new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul);
        fixed (byte* pixels = rgba)
        {
            using var surface = SKSurface.Create(info, (IntPtr)pixels, Size * 4)
                ?? throw new InvalidOperationException("SkiaSharp could not wrap the image buffer");
            DrawObjects(surface.Canvas, scene);
            surface.Canvas.Flush();
        }
    }

    static void DrawObjects(SKCanvas canvas, Scene scene)
    {
        var colour = WorldPalette.Rgb(scene.Colour).WithAlpha((byte)Math.Round(255 * scene.Opacity));
        using var paint = new SKPaint { IsAntialias = true, Color = colour };
        using var path = ShapePaths.Create(scene.Shape);
        foreach (var o in scene.Objects)
        {
            if (scene.Style == Style.Outline)
            {
                paint.Style = SKPaintStyle.Stroke;
                paint.StrokeWidth = OutlineWidth / o.Radius;
                paint.StrokeJoin = SKStrokeJoin.Miter;
            }
            canvas.Save();
            canvas.Translate(o.X, o.Y);
            canvas.RotateDegrees(o.RotationDegrees);
            canvas.Scale(o.Radius);
            canvas.DrawPath(path, paint);
            canvas.Restore();
        }
    }

    static void AddNoise(Span<byte> rgb, float sigma, ulong seed)
    {
        // Irwin-Hall: the sum of four uniforms from one 64-bit hash, rescaled to unit variance,
        // is close enough to Gaussian for image noise and needs no generator state.
        const float unit = 1f / 65536f;
        float scale = sigma * MathF.Sqrt(3f);
        ulong stream = SeedStreams.Mix(seed ^ 0x6E6F697365UL);
        for (int i = 0; i < rgb.Length; i++)
        {
            ulong h = SeedStreams.Mix(stream ^ (ulong)i);
            float sum = ((h & 0xFFFF) + ((h >> 16) & 0xFFFF) + ((h >> 32) & 0xFFFF) + (h >> 48)) * unit;
            rgb[i] = BackgroundTexture.Level(rgb[i] + scale * (sum - 2f));
        }
    }
}
