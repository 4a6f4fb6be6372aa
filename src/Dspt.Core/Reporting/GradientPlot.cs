using ScottPlot;

namespace Dspt.Reporting;

/// <summary>One sample's gradient: the probability the model gives its (possibly wrong) label, the norm of d loss / d logits, and whether the label is wrong.</summary>
public sealed record SampleGradient(double LabelProbability, double GradientNorm, bool Mislabeled);

/// <summary>Per-sample gradient norm against p(given label), clean and mislabeled samples coloured apart, one panel per loss; <c>title</c> goes under the panels.</summary>
public static class GradientPlot
{
    public static byte[] Render(IReadOnlyList<(string Loss, IReadOnlyList<SampleGradient> Samples)> panels, string title)
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
            plot.XLabel($"p(given label) — {title}");
            plot.YLabel("|d loss / d logits|");
            plot.Axes.SetLimits(0, 1, 0, yMax);
            plot.ShowLegend(Alignment.UpperRight);
        }
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
        return multi.Render(460 * panels.Count, 400).GetImageBytes(ImageFormat.Png);
    }
}
