using ScottPlot;

namespace Dspt.Suspects;

/// <summary>Precision against recall of finding the wrong labels, one line per score.</summary>
public static class PrCurvePlot
{
    public static byte[] Render(IReadOnlyList<(string Name, IReadOnlyList<double> Suspicion)> scores, IReadOnlyList<bool> wrong, string title)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var (name, suspicion) in scores)
        {
            var curve = DetectionMetrics.PrCurve(suspicion, wrong).ToList();
            double[] xs = [0, .. curve.Select(c => c.Recall)];
            double[] ys = [curve.Count > 0 ? curve[0].Precision : 1, .. curve.Select(c => c.Precision)];
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(i++));
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = 0;
        }
        double baseRate = wrong.Count == 0 ? 0 : (double)wrong.Count(w => w) / wrong.Count;
        var chance = plot.Add.HorizontalLine(baseRate, 1, Colors.Gray, LinePattern.Dashed);
        chance.LegendText = "chance";
        plot.Title(title);
        plot.XLabel("recall (wrong labels found)");
        plot.YLabel("precision");
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.ShowLegend(Alignment.LowerLeft);
        return plot.GetImageBytes(720, 480, ImageFormat.Png);
    }
}
