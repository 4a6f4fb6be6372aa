namespace Dspt.World;

/// <summary>
/// Paints a scene's background into an RGBA buffer, per pixel: the tone, and the texture in
/// closed form with one-pixel antialiasing (coverage = 0.5 + signed distance to the pattern's
/// edge, clamped). Skia drew the same patterns as hundreds of small shapes at 2-7 times the cost.
/// </summary>
public static class BackgroundTexture
{
    /// <summary>Half-range, in 0-255 levels, of a Grainy background's per-pixel grain.</summary>
    public const int GrainAmplitude = 24;

    public static void Paint(Scene scene, Span<byte> rgba)
    {
        const int size = WorldRenderer.Size;
        if (rgba.Length != size * size * 4)
            throw new ArgumentException($"the buffer must hold {size}x{size}x4 bytes, got {rgba.Length}", nameof(rgba));
        var tone = WorldPalette.Rgb(scene.Tone);
        var second = WorldPalette.TextureRgb(scene.Tone);
        float period = scene.TexturePeriod, phase = scene.TexturePhase;
        float angle = scene.TextureAngleDegrees * MathF.PI / 180;
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                // Pattern coordinates in periods, rotated about the image centre; at angle 0 the
                // stripes run horizontally (u grows downwards).
                float px = x + 0.5f - size / 2f, py = y + 0.5f - size / 2f;
                float u = (sin * px + cos * py + phase) / period;
                float v = (cos * px - sin * py + phase) / period;
                int p = y * size + x;
                float mix, grain = 0;
                switch (scene.Texture)
                {
                    case Texture.Striped:
                        mix = EvenBand(u, period);
                        break;
                    case Texture.Checkered:
                        float a = EvenBand(u, period), b = EvenBand(v, period);
                        mix = a * b + (1 - a) * (1 - b);
                        break;
                    case Texture.Dotted:
                        float fu = u - MathF.Floor(u) - 0.5f, fv = v - MathF.Floor(v) - 0.5f;
                        float distance = MathF.Sqrt(fu * fu + fv * fv) * period;
                        mix = Math.Clamp(0.5f + 0.22f * period - distance, 0f, 1f);
                        break;
                    case Texture.Grainy:
                        mix = 0;
                        ulong h = SeedStreams.Mix(scene.NoiseSeed ^ (ulong)p);
                        grain = GrainAmplitude * (2f * (h >> 40) / (1 << 24) - 1f);
                        break;
                    default:
                        mix = 0;
                        break;
                }
                rgba[4 * p] = Level(tone.Red + mix * (second.Red - tone.Red) + grain);
                rgba[4 * p + 1] = Level(tone.Green + mix * (second.Green - tone.Green) + grain);
                rgba[4 * p + 2] = Level(tone.Blue + mix * (second.Blue - tone.Blue) + grain);
                rgba[4 * p + 3] = 255;
            }
        }
    }

    /// <summary>Coverage of the bands [k, k + 1/2) (in periods) at coordinate t, antialiased over one pixel.</summary>
    static float EvenBand(float t, float period)
    {
        float f = (t - MathF.Floor(t)) * period, half = period / 2;
        float signedDistance = f < half ? MathF.Min(f, half - f) : -MathF.Min(f - half, period - f);
        return Math.Clamp(0.5f + signedDistance, 0f, 1f);
    }

    internal static byte Level(float v) => (byte)Math.Clamp(MathF.Round(v), 0, 255);
}
