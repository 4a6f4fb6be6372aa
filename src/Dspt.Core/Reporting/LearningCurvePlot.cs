using ScottPlot;

namespace Dspt.Reporting;

/// <summary>
/// Learning curves of one dataset and noise setting, one line per method (mean over seeds): few-shot
/// val accuracy (labels as given) with test accuracy where measured, and, under synthetic noise, the
/// share of mislabeled training samples predicted as their wrong given label (memorised noise).
/// </summary>
public static class LearningCurvePlot
{
    public static byte[] Render(IReadOnlyList<(string Method, IReadOnlyList<IReadOnlyList<CurvePoint>> Runs)> methods, string title)
    {
        bool noisy = methods.Any(m => m.Runs.Any(r => r.Any(p => p.NoisyAsGiven is not null)));
        var multi = new Multiplot();
        multi.AddPlots(noisy ? 2 : 1);
        var palette = new ScottPlot.Palettes.Category10();
        var accuracy = multi.GetPlot(0);
        for (int i = 0; i < methods.Count; i++)
        {
            var (method, runs) = methods[i];
            var color = palette.GetColor(i);
            var (vx, vy) = LearningCurves.Mean(runs, p => p.ValAccuracy);
            if (vx.Length == 0) (vx, vy) = LearningCurves.Mean(runs, p => p.TrainAccuracy);
            if (vx.Length > 0)
            {
                var line = accuracy.Add.Scatter(vx, vy, color);
                line.LegendText = $"{method} val";
                line.MarkerSize = 0;
                line.LineWidth = 2;
            }
            var (tx, ty) = LearningCurves.Mean(runs, p => p.TestAccuracy);
            if (tx.Length > 0)
            {
                var test = accuracy.Add.Scatter(tx, ty, color);
                test.LegendText = $"{method} test";
                test.LinePattern = LinePattern.Dashed;
                test.MarkerSize = 5;
            }
            if (noisy)
            {
                var (mx, my) = LearningCurves.Mean(runs, p => p.NoisyAsGiven);
                if (mx.Length > 0)
                {
                    var memorised = multi.GetPlot(1).Add.Scatter(mx, my, color);
                    memorised.LegendText = $"{method} as given (wrong)";
                    memorised.MarkerSize = 0;
                    memorised.LineWidth = 2;
                }
                var (cx, cy) = LearningCurves.Mean(runs, p => p.NoisyAsTrue);
                if (cx.Length > 0)
                {
                    var corrected = multi.GetPlot(1).Add.Scatter(cx, cy, color);
                    corrected.LegendText = $"{method} as true class";
                    corrected.LinePattern = LinePattern.Dotted;
                    corrected.MarkerSize = 0;
                }
            }
        }
        accuracy.Title(title);
        accuracy.XLabel("epoch");
        accuracy.YLabel("accuracy (%): val solid, test dashed");
        accuracy.ShowLegend(Alignment.LowerRight);
        if (noisy)
        {
            var p = multi.GetPlot(1);
            p.Title("mislabeled training samples");
            p.XLabel("epoch");
            p.YLabel("predicted as: given label (solid), true class (dotted), %");
            p.Axes.SetLimitsY(0, 100);
            p.ShowLegend(Alignment.UpperLeft);
        }
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
        return multi.Render(noisy ? 1200 : 640, 460).GetImageBytes(ImageFormat.Png);
    }
}
