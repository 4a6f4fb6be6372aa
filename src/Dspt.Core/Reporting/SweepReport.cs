using System.Globalization;
using System.Text;
using Dspt.IO;

namespace Dspt.Reporting;

/// <summary>
/// What <c>dspt report</c> writes from run folders: report.md (the table, the plots, unfinished
/// runs), results.csv (one row per run), results.tex (booktabs), accuracy-vs-noise-GROUP.png per
/// dataset (and model, shots) and learning-curves-GROUP-NOISE.png per noise setting. All atomic.
/// </summary>
public static class SweepReport
{
    public const string ReportFile = "report.md", CsvFile = "results.csv", LatexFile = "results.tex";

    public static IReadOnlyList<string> Write(string outDir, PaperTable table, IReadOnlyList<RunRecord> runs, IReadOnlyList<string> unfinished, bool plots = true)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        void Text(string name, string text)
        {
            AtomicFile.WriteAllText(Path.Combine(outDir, name), text);
            written.Add(name);
        }
        Text(CsvFile, PaperTable.ToCsv(runs));
        Text(LatexFile, table.ToLatex());

        var md = new StringBuilder();
        md.Append("# Results\n\n");
        md.Append(string.Create(CultureInfo.InvariantCulture,
            $"Test top-1 accuracy (%), mean ± {(table.Options.Ci95 ? "95 % interval (1.96 σ/√n)" : table.Options.SampleStd ? "σ (n-1)" : "σ (population, as CoOp's parse_test_res.py)")} over seeds; " +
            $"{runs.Count} runs, {table.ExpectedSeeds} seed(s) per full cell; bold: best per column.\n\n"));
        md.Append(table.ToMarkdown());
        md.Append('\n');
        if (BaseToNewTable.ToMarkdown(runs, table.Options) is { } b2n)
            md.Append("## Base-to-new\n\n").Append(b2n).Append('\n');
        foreach (var g in table.Groups)
        {
            string slug = Slug(table.GroupLabel(g));
            if (plots)
            {
                var groupRuns = runs.Where(r => r.Dataset == g.Dataset && r.Model == g.Model && r.Shots == g.Shots && r.Classes == g.Classes).ToList();
                string noisePng = $"accuracy-vs-noise-{slug}.png";
                var results = new ResultsTable([.. groupRuns.Select(r => new RunResult(r.Method, r.Setting.Type, r.Setting.Rate, r.Seed, r.Accuracy))]);
                AtomicFile.WriteAllBytes(Path.Combine(outDir, noisePng), NoisePlot.Render(results, table.ZeroShot(g), $"{table.GroupLabel(g)}, {g.Shots} shots"));
                written.Add(noisePng);
                md.Append($"![accuracy against noise, {table.GroupLabel(g)}]({noisePng})\n\n");
                foreach (var setting in table.SettingsOf(g))
                {
                    var methods = table.Methods.Select(m => (m, (IReadOnlyList<IReadOnlyList<CurvePoint>>)groupRuns
                        .Where(r => r.Method == m && r.Setting == setting).Select(r => LearningCurves.Read(r.Folder)).ToList()))
                        .Where(x => x.Item2.Count > 0).ToList();
                    if (methods.Count == 0) continue;
                    string curvePng = $"learning-curves-{slug}-{Slug(setting.Label)}.png";
                    AtomicFile.WriteAllBytes(Path.Combine(outDir, curvePng), LearningCurvePlot.Render(methods, $"{table.GroupLabel(g)}, noise {setting.Label}"));
                    written.Add(curvePng);
                    md.Append($"![learning curves, {table.GroupLabel(g)}, {setting.Label}]({curvePng})\n");
                }
                md.Append('\n');
            }
        }
        if (unfinished.Count > 0)
        {
            md.Append($"Unfinished runs (not in the table): {unfinished.Count}\n\n");
            foreach (var u in unfinished) md.Append($"- `{u}`\n");
            md.Append('\n');
        }
        md.Append($"Files: `{CsvFile}` (one row per run), `{LatexFile}` (booktabs).\n");
        Text(ReportFile, md.ToString());
        return written;
    }

    static string Slug(string text) => EvaluationReport.FileSafe(text.Replace("%", "").Replace(' ', '-').Replace('/', '-'));
}
