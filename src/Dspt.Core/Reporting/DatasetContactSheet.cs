using Dspt.Data;
using Dspt.IO;
using SkiaSharp;

namespace Dspt.Reporting;

/// <summary>
/// A PNG with a few training thumbnails per class, grouped by the label training sees, so that
/// a glance shows whether the classes and the injected noise look right: a wrongly labelled
/// thumbnail gets a red frame and its true class under it.
/// </summary>
public static class DatasetContactSheet
{
    const int Margin = 10, NameWidth = 200, Gap = 6, HeaderHeight = 30, CaptionHeight = 16;

    /// <returns>how many thumbnails could not be decoded (drawn as grey placeholders)</returns>
    public static int Write(string path, FewShotSplit split, int perClass = 4, int maxClasses = 40, int thumb = 96,
        Action<string>? warn = null)
    {
        if (perClass < 1 || maxClasses < 1 || thumb < 16)
            throw new InvalidInputException($"contact sheet: need at least 1 image per class, 1 class and 16 px thumbnails");
        int classes = Math.Min(maxClasses, split.NumClasses);
        var rows = Enumerable.Range(0, classes).Select(c => split.Train.Where(i => i.Label == c).Take(perClass).ToList()).ToList();

        int width = 2 * Margin + NameWidth + perClass * (thumb + Gap);
        int height = HeaderHeight + Margin + classes * (thumb + CaptionHeight + Gap);
        var typeface = SKTypeface.Default;
        if (typeface.GlyphCount == 0)
            warn?.Invoke("contact sheet: no system font found, so names are not drawn (install fonts-dejavu-core)");
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"contact sheet: cannot allocate a {width}x{height} image");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(typeface, 13);
        using var small = new SKFont(typeface, 10);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var red = new SKPaint { Color = new SKColor(210, 20, 20), IsAntialias = true };
        using var frame = new SKPaint { Color = new SKColor(210, 20, 20), Style = SKPaintStyle.Stroke, StrokeWidth = 4 };
        using var grey = new SKPaint { Color = new SKColor(200, 200, 200) };

        string header = $"{split.DatasetName}: {split.NumClasses} classes" + (classes < split.NumClasses ? $" (first {classes} shown)" : "") +
                        $", {(split.Shots > 0 ? $"{split.Shots} shots" : "all images")}, noise {split.Noise} " +
                        $"(realised {split.Report.Corrupted}/{split.Report.Total} wrong), seed {split.Seed}";
        canvas.DrawText(Fit(header, font, width - 2 * Margin), Margin, 20, SKTextAlign.Left, font, ink);

        // A built-in world task has no files: its items are rendered.
        var world = Builtin.BuiltinDataset.Is(split.Root) ? Builtin.BuiltinDataset.Parse(split.Root).CreateTask() : null;
        int unreadable = 0;
        var sampling = new SKSamplingOptions(SKCubicResampler.Mitchell);
        for (int c = 0; c < classes; c++)
        {
            int top = HeaderHeight + Margin + c * (thumb + CaptionHeight + Gap);
            canvas.DrawText(Fit($"{c}  {split.ClassNames[c]}", font, NameWidth - Gap), Margin, top + thumb / 2 + 5, SKTextAlign.Left, font, ink);
            for (int k = 0; k < rows[c].Count; k++)
            {
                var item = rows[c][k];
                var box = SKRect.Create(Margin + NameWidth + k * (thumb + Gap), top, thumb, thumb);
                using var image = world is null ? Thumbnail(Path.Combine(split.Root, item.Path), thumb) : WorldContactSheet.ToImage(world.Render(item.Path));
                if (image is null)
                {
                    unreadable++;
                    canvas.DrawRect(box, grey);
                    canvas.DrawText("unreadable", box.MidX, box.MidY, SKTextAlign.Center, small, ink);
                }
                else
                    canvas.DrawImage(image, Fit(image.Width, image.Height, box), sampling);
                if (item.IsCorrupted)
                {
                    canvas.DrawRect(box, frame);
                    canvas.DrawText(Fit($"true: {split.ClassNames[item.CleanLabel]}", small, thumb), box.Left, box.Bottom + 12, SKTextAlign.Left, small, red);
                }
            }
        }
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.AsSpan());
        if (unreadable > 0) warn?.Invoke($"contact sheet: {unreadable} image(s) could not be decoded");
        return unreadable;
    }

    /// <summary>null when the file is missing or does not decode completely (<see cref="ScaledDecode"/>).</summary>
    static SKImage? Thumbnail(string file, int size)
    {
        using var bitmap = ScaledDecode.Bitmap(file, size);
        return bitmap is null ? null : SKImage.FromPixelCopy(bitmap.PeekPixels());
    }

    /// <summary>The largest rectangle with the image's aspect ratio centred in the box.</summary>
    static SKRect Fit(int w, int h, SKRect box)
    {
        float s = Math.Min(box.Width / w, box.Height / h);
        float fw = w * s, fh = h * s;
        return SKRect.Create(box.MidX - fw / 2, box.MidY - fh / 2, fw, fh);
    }

    static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        while (text.Length > 1 && font.MeasureText(text + "...") > width) text = text[..^1];
        return text + "...";
    }
}
