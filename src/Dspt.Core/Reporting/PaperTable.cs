using System.Globalization;
using System.Text;

namespace Dspt.Reporting;

/// <summary>How a <see cref="PaperTable"/> summarises and marks cells.</summary>
/// <param name="Ci95">Show mean ± the 95 % interval 1.96·σ/√n instead of ± σ (CoOp's parse_test_res.py --ci95).</param>
/// <param name="SampleStd">σ over n-1 (the demo's table) instead of the population σ over n (numpy's np.std, as parse_test_res.py).</param>
/// <param name="Bold">Mark the best mean of each column.</param>
/// <param name="ZeroShotRow">Zero-shot CLIP as the first row, for reference.</param>
/// <param name="ExpectedSeeds">Seeds a full cell has; default the most any cell has. Cells with fewer show "(n=k)".</param>
public sealed record TableOptions(bool Ci95 = false, bool SampleStd = false, bool Bold = true, bool ZeroShotRow = true, int? ExpectedSeeds = null);

/// <summary>A column group of the table: one dataset, model, shot count and class selection (all, base, new).</summary>
public sealed record ColumnGroup(string Dataset, string Model, int Shots, string Classes = "all");

/// <summary>A cell: mean and spread (σ or the 95 % half-width) over the seeds of one method and setting.</summary>
public sealed record CellStats(double Mean, double Spread, int Count, IReadOnlyList<int> Seeds);

/// <summary>
/// The papers' table from run records: methods as rows, dataset x noise setting as columns, mean ±
/// σ over seeds. Rendered as Markdown, LaTeX (booktabs) and a long CSV (one row per run).
/// </summary>
public sealed class PaperTable
{
    public const string ZeroShotName = "Zero-shot CLIP";
    readonly IReadOnlyList<RunRecord> runs;

    public PaperTable(IReadOnlyList<RunRecord> runs, TableOptions? options = null)
    {
        this.runs = runs;
        Options = options ?? new TableOptions();
        Groups = [.. runs.Select(Group).Distinct().OrderBy(g => g.Dataset, StringComparer.Ordinal).ThenBy(g => g.Model, StringComparer.Ordinal).ThenBy(g => g.Shots)
            .ThenBy(g => g.Classes switch { "all" => 0, "base" => 1, _ => 2 })];
        Methods = [.. runs.Select(r => r.Method).Distinct().Order(StringComparer.Ordinal)];
        Columns = [.. Groups.SelectMany(g => SettingsOf(g).Select(s => (g, s)))];
        ExpectedSeeds = Options.ExpectedSeeds ?? (Columns.Count == 0 ? 0 : Methods.SelectMany(m => Columns.Select(c => Cell(m, c.Group, c.Setting)?.Count ?? 0)).Max());
    }

    public TableOptions Options { get; }
    public IReadOnlyList<ColumnGroup> Groups { get; }
    public IReadOnlyList<string> Methods { get; }
    public IReadOnlyList<(ColumnGroup Group, NoiseSetting Setting)> Columns { get; }
    public int ExpectedSeeds { get; }

    static ColumnGroup Group(RunRecord r) => new(r.Dataset, r.Model, r.Shots, r.Classes);

    public IReadOnlyList<NoiseSetting> SettingsOf(ColumnGroup g) =>
        [.. runs.Where(r => Group(r) == g).Select(r => r.Setting).Distinct().OrderBy(s => s.Type == "sym" ? 0 : 1).ThenBy(s => s.Type, StringComparer.Ordinal).ThenBy(s => s.Rate)];

    public CellStats? Cell(string method, ColumnGroup group, NoiseSetting setting)
    {
        var cell = runs.Where(r => r.Method == method && Group(r) == group && r.Setting == setting).OrderBy(r => r.Seed).ToList();
        return cell.Count == 0 ? null : Stats(cell.Select(r => r.Accuracy).ToList(), cell.Select(r => r.Seed).ToList());
    }

    /// <summary>Zero-shot accuracy of a column group (the same test split for every run in it; their mean).</summary>
    public double? ZeroShot(ColumnGroup group) =>
        runs.Where(r => Group(r) == group).Select(r => r.ZeroShotAccuracy).DefaultIfEmpty(double.NaN).Average() is var z && double.IsFinite(z) ? z : null;

    CellStats Stats(IReadOnlyList<double> values, IReadOnlyList<int> seeds)
    {
        double mean = values.Average();
        double squares = values.Sum(v => (v - mean) * (v - mean));
        double population = Math.Sqrt(squares / values.Count);
        double spread = Options.Ci95 ? 1.96 * population / Math.Sqrt(values.Count)
            : Options.SampleStd ? (values.Count > 1 ? Math.Sqrt(squares / (values.Count - 1)) : 0)
            : population;
        return new CellStats(mean, spread, values.Count, seeds);
    }

    static string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);

    string Text(CellStats? c, string plusMinus) => c is null ? "–"
        : (c.Count > 1 ? $"{F(c.Mean)}{plusMinus}{F(c.Spread)}" : F(c.Mean)) + (c.Count < ExpectedSeeds ? $" (n={c.Count})" : "");

    /// <summary>The rows' best displayed mean per column (ties all count).</summary>
    bool IsBest(string method, (ColumnGroup Group, NoiseSetting Setting) column)
    {
        if (!Options.Bold) return false;
        var cell = Cell(method, column.Group, column.Setting);
        if (cell is null) return false;
        var best = Methods.Select(m => Cell(m, column.Group, column.Setting)).Where(c => c is not null).Max(c => Math.Round(c!.Mean, 1));
        return Math.Round(cell.Mean, 1) == best;
    }

    string ColumnLabel((ColumnGroup Group, NoiseSetting Setting) c)
    {
        string group = GroupLabel(c.Group);
        return Groups.Count == 1 ? c.Setting.Label : $"{group} {c.Setting.Label}";
    }

    public string GroupLabel(ColumnGroup g) =>
        g.Dataset + (Groups.Select(x => x.Model).Distinct().Count() > 1 ? $" / {g.Model}" : "") + (Groups.Select(x => x.Shots).Distinct().Count() > 1 ? $" / {g.Shots}-shot" : "")
        + (g.Classes != "all" ? $" / {g.Classes} classes" : "");

    public string ToMarkdown(string firstColumn = "method")
    {
        var sb = new StringBuilder();
        sb.Append($"| {firstColumn} | {string.Join(" | ", Columns.Select(ColumnLabel))} |\n");
        sb.Append($"|---|{string.Concat(Columns.Select(_ => "---|"))}\n");
        if (Options.ZeroShotRow)
            sb.Append($"| {ZeroShotName} | {string.Join(" | ", Columns.Select(c => ZeroShot(c.Group) is double z ? F(z) : "–"))} |\n");
        foreach (var m in Methods)
            sb.Append($"| {m} | {string.Join(" | ", Columns.Select(c => Bold(Text(Cell(m, c.Group, c.Setting), " ± "), IsBest(m, c), "**", "**")))} |\n");
        return sb.ToString();
    }

    public string ToLatex(string caption = "Test accuracy (%)")
    {
        var sb = new StringBuilder();
        string spread = Options.Ci95 ? "95\\% confidence interval" : Options.SampleStd ? "standard deviation (n-1)" : "standard deviation";
        sb.Append("% Written by dspt report; needs \\usepackage{booktabs}\n");
        sb.Append("\\begin{table}[t]\n\\centering\n");
        sb.Append($"\\caption{{{Latex(caption)}, mean $\\pm$ {spread} over seeds.}}\n");
        sb.Append("\\begin{tabular}{l").Append(string.Concat(Groups.Select(g => " " + new string('c', SettingsOf(g).Count)))).Append("}\n\\toprule\n");
        if (Groups.Count > 1)
        {
            int col = 2;
            var rules = new List<string>();
            sb.Append(" & ").Append(string.Join(" & ", Groups.Select(g =>
            {
                int n = SettingsOf(g).Count;
                rules.Add($"\\cmidrule(lr){{{col}-{col + n - 1}}}");
                col += n;
                return $"\\multicolumn{{{n}}}{{c}}{{{Latex(GroupLabel(g))}}}";
            }))).Append(" \\\\\n").Append(string.Join(" ", rules)).Append('\n');
        }
        sb.Append("Method & ").Append(string.Join(" & ", Columns.Select(c => Latex(c.Setting.Label)))).Append(" \\\\\n\\midrule\n");
        if (Options.ZeroShotRow)
            sb.Append(ZeroShotName).Append(" & ").Append(string.Join(" & ", Columns.Select(c => ZeroShot(c.Group) is double z ? F(z) : "--"))).Append(" \\\\\n\\midrule\n");
        foreach (var m in Methods)
            sb.Append(Latex(m)).Append(" & ").Append(string.Join(" & ", Columns.Select(c =>
                Bold(Latex(Text(Cell(m, c.Group, c.Setting), " ± ")).Replace(" ± ", " $\\pm$ ").Replace("–", "--"), IsBest(m, c), "\\textbf{", "}")))).Append(" \\\\\n");
        sb.Append("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
        return sb.ToString();
    }

    /// <summary>One row per run (long format, for pandas or polars); the folder, the one column that
    /// differs between two copies of a grid, comes last.</summary>
    public static string ToCsv(IEnumerable<RunRecord> runs)
    {
        var sb = new StringBuilder("dataset,model,shots,noise,noise_type,noise_rate,method,loss,seed,accuracy,mean_class_accuracy,zero_shot_accuracy,epochs,select,selected_epoch,run_id,plan_hash,learner,classes,new_accuracy,harmonic_mean,folder\n");
        foreach (var r in runs.OrderBy(r => r.Dataset, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Shots)
                     .ThenBy(r => r.Setting.Type == "sym" ? 0 : 1).ThenBy(r => r.Setting.Type, StringComparer.Ordinal).ThenBy(r => r.Setting.Rate)
                     .ThenBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Seed))
        {
            string[] fields =
            [
                r.Dataset, r.Model, I(r.Shots), r.Noise, r.Setting.Type, r.Setting.Rate.ToString("R", CultureInfo.InvariantCulture), r.Method, r.Loss, I(r.Seed),
                D(r.Accuracy), D(r.MeanClassAccuracy), D(r.ZeroShotAccuracy), I(r.Epochs), r.Select, r.SelectedEpoch is int e ? I(e) : "",
                r.RunId ?? "", r.PlanHash ?? "", r.Learner, r.Classes, r.NewAccuracy is double n ? D(n) : "", r.HarmonicMean is double h ? D(h) : "", r.Folder,
            ];
            sb.Append(string.Join(",", fields.Select(Csv))).Append('\n');
        }
        return sb.ToString();
    }

    static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
    static string D(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    static string Bold(string text, bool bold, string open, string close) => bold ? open + text + close : text;

    static string Latex(string text) => text.Replace("\\", "\\textbackslash{}").Replace("%", "\\%").Replace("_", "\\_").Replace("&", "\\&").Replace("#", "\\#");
}
