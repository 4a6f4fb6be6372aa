using Dspt.IO;
using Dspt.World;
using SkiaSharp;

namespace Dspt.Reporting;

/// <summary>
/// A PNG grid of world images, each enlarged without smoothing (so it shows the real 64x64
/// pixels) above its caption, for looking at what the model is trained and tested on.
/// </summary>
public static class WorldContactSheet
{
    const int Scale = 3;
    const int Pad = 8;
    const int LineHeight = 14;
    const int CaptionLines = 4;
    const float FontSize = 11.5f;

    /// <summary>Writes the sheet atomically; returns false when no font was found (tiles then have no text).</summary>
    public static bool Write(string path, IReadOnlyList<(byte[] Image, string Caption)> tiles, int columns = 8)
    {
        if (tiles.Count == 0) throw new ArgumentException("a contact sheet needs at least one image", nameof(tiles));
        const int imageSide = WorldRenderer.Size * Scale;
        int tileW = imageSide + Pad, tileH = imageSide + Pad + CaptionLines * LineHeight;
        columns = Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + columns - 1) / columns;

        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, FontSize);
        bool hasFont = typeface.GlyphCount > 0;
        using var textPaint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var surface = SKSurface.Create(new SKImageInfo(columns * tileW + Pad, rows * tileH + Pad))
            ?? throw new InvalidOperationException("SkiaSharp could not create the contact sheet surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        for (int t = 0; t < tiles.Count; t++)
        {
            float x = Pad + t % columns * tileW, y = Pad + t / columns * tileH;
            using (var image = ToImage(tiles[t].Image))
                canvas.DrawImage(image, new SKRect(x, y, x + imageSide, y + imageSide), new SKSamplingOptions(SKFilterMode.Nearest));
            var lines = Wrap(tiles[t].Caption, font, imageSide);
            for (int l = 0; l < Math.Min(lines.Count, CaptionLines); l++)
                canvas.DrawText(lines[l], x, y + imageSide + (l + 1) * LineHeight, font, textPaint);
        }
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.Span);
        return hasFont;
    }

    internal static SKImage ToImage(byte[] rgb)
    {
        const int size = WorldRenderer.Size;
        if (rgb.Length != size * size * 3) throw new ArgumentException($"a world tile has {size}x{size}x3 bytes, got {rgb.Length}", nameof(rgb));
        var rgba = OpaqueRgba.FromRgb(rgb);
        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var data = SKData.CreateCopy(rgba);
        return SKImage.FromPixels(info, data, size * 4) ?? throw new InvalidOperationException("SkiaSharp could not wrap a tile");
    }

    static List<string> Wrap(string text, SKFont font, float width)
    {
        var lines = new List<string>();
        string line = "";
        foreach (var word in text.Split(' '))
        {
            string candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && font.MeasureText(candidate) > width)
            {
                lines.Add(line);
                line = word;
            }
            else line = candidate;
        }
        if (line.Length > 0) lines.Add(line);
        return lines;
    }
}
