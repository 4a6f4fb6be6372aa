using ScottPlot;

namespace Dspt.Reporting;

/// <summary>Accuracy against the symmetric noise rate, one line per method (mean ± std), other noise types as separate markers, zero-shot as a dashed reference line.</summary>
public static class NoisePlot
{
    public static byte[] Render(ResultsTable table, double? zeroShotAccuracy, string title)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var settings = table.Settings;
        int i = 0;
        foreach (var method in table.Methods)
        {
            var color = palette.GetColor(i++);
            var sym = settings.Where(s => s.Type == "sym").ToList();
            var cells = sym.Select(s => (s, c: table.Cell(method, s))).Where(x => x.c != null).ToList();
            if (cells.Count > 0)
            {
                double[] xs = [.. cells.Select(x => x.s.Rate * 100)];
                double[] ys = [.. cells.Select(x => x.c!.Mean)];
                var line = plot.Add.Scatter(xs, ys, color);
                line.LegendText = method;
                line.LineWidth = 2;
                line.MarkerSize = 7;
                var err = plot.Add.ErrorBar(xs, ys, [.. cells.Select(x => x.c!.Std)]);
                err.Color = color;
            }
            foreach (var other in settings.Where(s => s.Type != "sym"))
                if (table.Cell(method, other) is { } c)
                {
                    var m = plot.Add.Marker(other.Rate * 100 + 2, c.Mean, MarkerShape.OpenTriangleUp, 10, color);
                    m.LegendText = i == 1 ? $"{other.Type} {other.Rate * 100:0}% (open triangles)" : "";
                }
        }
        if (zeroShotAccuracy is double zs)
        {
            var line = plot.Add.HorizontalLine(zs, 2, Colors.Gray, LinePattern.Dashed);
            line.LegendText = "zero-shot";
        }
        plot.Title(title);
        plot.XLabel("label noise rate (%)");
        plot.YLabel("test top-1 accuracy (%)");
        plot.ShowLegend(Alignment.LowerLeft);
        return plot.GetImageBytes(720, 480, ImageFormat.Png);
    }
}
