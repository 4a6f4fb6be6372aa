using System.Globalization;
using System.Text;

namespace Dspt.Reporting;

/// <summary>
/// The base-to-new table of a report, from the runs trained on the base classes: per column group,
/// noise setting and method, base and new top-1 (mean ± spread over seeds, as the main table's
/// options say) and the harmonic mean of the two means (CoCoOp's tables report H of the averaged
/// base and new accuracies); zero-shot CLIP first.
/// </summary>
public static class BaseToNewTable
{
    /// <summary>null when no run has a new-class accuracy.</summary>
    public static string? ToMarkdown(IReadOnlyList<RunRecord> runs, TableOptions options)
    {
        var b2n = runs.Where(r => r.NewAccuracy is not null).ToList();
        if (b2n.Count == 0) return null;
        var sb = new StringBuilder("Trained on the base classes, tested on the base and on the new classes; HM = 2BN/(B+N) of the means.\n\n");
        sb.Append("| setting | method | base | new | HM |\n|---|---|---|---|---|\n");
        var groups = b2n.GroupBy(r => (r.Dataset, r.Model, r.Shots, r.Setting))
            .OrderBy(g => g.Key.Dataset, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Shots)
            .ThenBy(g => g.Key.Setting.Type == "sym" ? 0 : 1).ThenBy(g => g.Key.Setting.Type, StringComparer.Ordinal).ThenBy(g => g.Key.Setting.Rate);
        bool several = b2n.Select(r => (r.Dataset, r.Model, r.Shots)).Distinct().Count() > 1;
        foreach (var g in groups)
        {
            string setting = (several ? $"{g.Key.Dataset} / {g.Key.Model} / {g.Key.Shots}-shot " : "") + g.Key.Setting.Label;
            if (options.ZeroShotRow && g.All(r => r.ZeroShotNewAccuracy is not null))
            {
                double zb = g.Average(r => r.ZeroShotAccuracy), zn = g.Average(r => r.ZeroShotNewAccuracy!.Value);
                sb.Append($"| {setting} | {PaperTable.ZeroShotName} | {F(zb)} | {F(zn)} | {F(Evaluation.BaseToNew.HarmonicMean(zb, zn))} |\n");
            }
            foreach (var m in g.GroupBy(r => r.Method).OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                var bases = m.Select(r => r.Accuracy).ToList();
                var news = m.Select(r => r.NewAccuracy!.Value).ToList();
                sb.Append($"| {setting} | {m.Key} | {Cell(bases, options)} | {Cell(news, options)} | {F(Evaluation.BaseToNew.HarmonicMean(bases.Average(), news.Average()))} |\n");
            }
        }
        return sb.ToString();
    }

    static string Cell(IReadOnlyList<double> values, TableOptions options)
    {
        double mean = values.Average();
        if (values.Count == 1) return F(mean);
        double squares = values.Sum(v => (v - mean) * (v - mean));
        double population = Math.Sqrt(squares / values.Count);
        double spread = options.Ci95 ? 1.96 * population / Math.Sqrt(values.Count)
            : options.SampleStd ? Math.Sqrt(squares / (values.Count - 1))
            : population;
        return $"{F(mean)} ± {F(spread)}";
    }

    static string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);
}
