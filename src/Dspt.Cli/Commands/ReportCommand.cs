using System.CommandLine;
using Dspt.Reporting;

namespace Dspt.Cli.Commands;

/// <summary>
/// dspt report DIR...: the papers' table from run folders alone (final.json, metrics.jsonl),
/// printed as Markdown and written with CSV, LaTeX and plots.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("folders") { Description = "sweep output folders or run folders (searched recursively for final.json)", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out", "-o") { Description = "where to write report.md, results.csv, results.tex and the plots (default FIRST/report)" };
        var ci95 = new Option<bool>("--ci95") { Description = "mean ± 95 % interval (1.96 σ/√n) instead of ± σ, as CoOp's parse_test_res.py --ci95" };
        var sample = new Option<bool>("--sample-std") { Description = "σ over n-1 instead of the population σ (numpy's np.std, CoOp's choice)" };
        var seeds = new Option<int?>("--seed-count") { Description = "seeds a full cell has (default: the most any cell has); cells with fewer show (n=k)" };
        var noBold = new Option<bool>("--no-bold") { Description = "do not mark the best mean per column" };
        var noZeroShot = new Option<bool>("--no-zero-shot") { Description = "leave out the zero-shot reference row" };
        var noPlots = new Option<bool>("--no-plots") { Description = "write the tables only" };
        var format = new Option<string>("--table-format") { Description = "what to print: md, latex or csv", DefaultValueFactory = _ => "md" };
        var command = new Command("report", "The papers' table (methods x dataset/noise, mean ± σ over seeds) from run folders, as Markdown, CSV and LaTeX, with plots")
        {
            dirs, outDir, ci95, sample, seeds, noBold, noZeroShot, noPlots, format,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var folders = parse.GetValue(dirs)!;
            if (parse.GetValue(seeds) is int s && s < 1) throw new InvalidInputException($"--seed-count must be at least 1 (got {s})");
            string fmt = Choice.Of(parse, format, "md", "latex", "csv");
            var (runs, unfinished) = RunFolderReader.Read(folders);
            if (runs.Count == 0)
                throw new InvalidInputException($"{string.Join(", ", folders)}: no finished runs (no final.json){(unfinished.Count > 0 ? $"; {unfinished.Count} unfinished" : "")}");
            var table = new PaperTable(runs, new TableOptions(parse.GetValue(ci95), parse.GetValue(sample), !parse.GetValue(noBold), !parse.GetValue(noZeroShot), parse.GetValue(seeds)));
            string output = parse.GetValue(outDir) ?? Path.Combine(folders[0], "report");
            var written = SweepReport.Write(output, table, runs, unfinished, plots: !parse.GetValue(noPlots));
            stdout.Write(fmt switch { "latex" => table.ToLatex(), "csv" => PaperTable.ToCsv(runs), _ => table.ToMarkdown() });
            if (unfinished.Count > 0) stderr.WriteLine($"{unfinished.Count} unfinished run(s) left out (listed in {Path.Combine(output, SweepReport.ReportFile)})");
            stderr.WriteLine($"{runs.Count} runs; wrote {string.Join(", ", written)} to {Path.GetFullPath(output)}");
            return 0;
        });
        return command;
    }
}
