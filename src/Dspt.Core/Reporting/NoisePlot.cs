using ScottPlot;

namespace Dspt.Reporting;

/// <summary>
/// Accuracy against the symmetric noise rate, one line per method (mean ± std), other noise types
/// as open markers right of their rate, zero-shot as a dashed reference line. Methods often
/// coincide (DSPT, GCE and MAE within a point of each other), so each method has its own marker
/// shape, its points are shifted sideways by a fixed small offset (<see cref="Offset"/> noise-rate
/// points per method, about a marker's width, centred on the true rate), and lines are drawn
/// widest first, each narrower than the one before and slightly transparent, so where lines
/// coincide they show as nested stripes: every method stays visible.
/// </summary>
public static class NoisePlot
{
    public const double Offset = 1.2;

    static readonly MarkerShape[] Shapes =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown];
    static readonly MarkerShape[] OpenShapes =
        [MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp, MarkerShape.OpenDiamond, MarkerShape.OpenTriangleDown];

    /// <summary>Where method <paramref name="index"/> of <paramref name="count"/> draws a point for noise rate <paramref name="ratePercent"/>.</summary>
    public static double X(double ratePercent, int index, int count) => ratePercent + (index - (count - 1) / 2.0) * Offset;

    /// <summary>Where the other noise types' markers go: right of their rate, one column per method.</summary>
    public static double OtherX(double ratePercent, int index, int count) => ratePercent + (count - 1) / 2.0 * Offset + 2 + index * Offset;

    public static byte[] Render(ResultsTable table, double? zeroShotAccuracy, string title)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var settings = table.Settings;
        var methods = table.Methods.ToList();
        var others = settings.Where(s => s.Type != "sym").ToList();
        for (int i = 0; i < methods.Count; i++)
        {
            var method = methods[i];
            var color = palette.GetColor(i).WithAlpha(0.8);
            var sym = settings.Where(s => s.Type == "sym").ToList();
            var cells = sym.Select(s => (s, c: table.Cell(method, s))).Where(x => x.c != null).ToList();
            if (cells.Count > 0)
            {
                double[] xs = [.. cells.Select(x => X(x.s.Rate * 100, i, methods.Count))];
                double[] ys = [.. cells.Select(x => x.c!.Mean)];
                var line = plot.Add.Scatter(xs, ys, color);
                line.LegendText = method;
                line.LineWidth = 2 + (methods.Count - 1 - i);
                line.MarkerSize = 8;
                line.MarkerShape = Shapes[i % Shapes.Length];
                var err = plot.Add.ErrorBar(xs, ys, [.. cells.Select(x => x.c!.Std)]);
                err.Color = color;
            }
            foreach (var other in others)
                if (table.Cell(method, other) is { } c)
                {
                    double x = OtherX(other.Rate * 100, i, methods.Count);
                    plot.Add.Marker(x, c.Mean, OpenShapes[i % OpenShapes.Length], 10, color);
                    var err = plot.Add.ErrorBar([x], [c.Mean], [c.Std]);
                    err.Color = color;
                }
        }
        foreach (var other in others)
        {
            // One legend entry per other noise type, in neutral grey (the colours say the method).
            var key = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.OpenCircle, 10, Colors.Gray);
            key.LegendText = $"{other.Type} {other.Rate * 100:0}% (open markers)";
        }
        if (zeroShotAccuracy is double zs)
        {
            var line = plot.Add.HorizontalLine(zs, 2, Colors.Gray, LinePattern.Dashed);
            line.LegendText = "zero-shot";
        }
        plot.Title(title);
        plot.XLabel("label noise rate (%); methods side by side at each rate");
        plot.YLabel("test top-1 accuracy (%)");
        plot.ShowLegend(Alignment.LowerLeft);
        return plot.GetImageBytes(720, 480, ImageFormat.Png);
    }
}
