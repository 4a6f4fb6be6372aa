using ScottPlot;
using SkiaSharp;

namespace Dspt.Reporting;

/// <summary>One sample's gradient: the probability the model gives its (possibly wrong) label, the norm of d loss / d logits, and whether the label is wrong.</summary>
public sealed record SampleGradient(double LabelProbability, double GradientNorm, bool Mislabeled);

/// <summary>
/// Per-sample gradient norm against p(given label), clean and mislabeled samples coloured apart,
/// one panel per loss side by side; <c>caption</c> (the setting) is written once under the
/// panels, shrunk to the image's width, so the panels' axis titles stay short and apart.
/// </summary>
public static class GradientPlot
{
    public const int PanelWidth = 460, PanelHeight = 400, CaptionHeight = 34;

    public static byte[] Render(IReadOnlyList<(string Loss, IReadOnlyList<SampleGradient> Samples)> panels, string caption)
    {
        var multi = new Multiplot();
        multi.AddPlots(panels.Count);
        double yMax = panels.SelectMany(p => p.Samples).Select(s => s.GradientNorm).DefaultIfEmpty(1).Max() * 1.05;
        for (int i = 0; i < panels.Count; i++)
        {
            var (loss, samples) = panels[i];
            var plot = multi.GetPlot(i);
            foreach (var (wrong, color, label) in new[] { (false, Colors.SteelBlue, "clean label"), (true, Colors.OrangeRed, "wrong label") })
            {
                var pts = samples.Where(s => s.Mislabeled == wrong).ToList();
                if (pts.Count == 0) continue;
                double[] xs = [.. pts.Select(p => p.LabelProbability)], ys = [.. pts.Select(p => p.GradientNorm)];
                var sc = plot.Add.ScatterPoints(xs, ys, color);
                sc.MarkerSize = 4;
                sc.LegendText = $"{label} ({pts.Count})";
            }
            plot.Title($"{loss} loss");
            plot.XLabel("p(given label)");
            plot.YLabel("|d loss / d logits|");
            plot.Axes.SetLimits(0, 1, 0, yMax);
            plot.ShowLegend(Alignment.UpperRight);
        }
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();

        int width = PanelWidth * panels.Count;
        using var surface = SKSurface.Create(new SKImageInfo(width, PanelHeight + CaptionHeight));
        var canvas = surface.Canvas;
        multi.Render(canvas, new PixelRect(0, width, 0, PanelHeight));
        // After the panels: Multiplot clears the whole canvas, not only its rectangle.
        using (var white = new SKPaint { Color = SKColors.White })
            canvas.DrawRect(0, PanelHeight, width, CaptionHeight, white);
        DrawCaption(canvas, caption, width, PanelHeight + CaptionHeight - 12);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    static void DrawCaption(SKCanvas canvas, string caption, int width, float baseline)
    {
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 15);
        const float margin = 12;
        // Glyph advances do not scale exactly linearly with the size (hinting): shrink until it fits.
        while (font.MeasureText(caption) > width - 2 * margin && font.Size > 4)
            font.Size *= 0.95f * (width - 2 * margin) / font.MeasureText(caption);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(caption, width / 2f, baseline, SKTextAlign.Center, font, paint);
    }
}
