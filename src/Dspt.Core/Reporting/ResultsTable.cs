using System.Globalization;
using System.Text;

namespace Dspt.Reporting;

/// <summary>
/// Methods as rows, noise settings as columns, mean ± std over seeds; rendered as Markdown (for
/// the terminal and report.md) and CSV (one row per run, for other tools).
/// </summary>
public sealed class ResultsTable(IReadOnlyList<RunResult> runs)
{
    public IReadOnlyList<RunResult> Runs { get; } = runs;

    public IReadOnlyList<string> Methods => [.. Runs.Select(r => r.Method).Distinct()];

    public IReadOnlyList<NoiseSetting> Settings =>
        [.. Runs.Select(r => new NoiseSetting(r.Rate() == 0 ? "sym" : r.NoiseType, r.NoiseRate)).Distinct()
               .OrderBy(s => s.Type == "sym" ? 0 : 1).ThenBy(s => s.Rate)];

    public Summary? Cell(string method, NoiseSetting setting)
    {
        var values = Runs.Where(r => r.Method == method && new NoiseSetting(r.Rate() == 0 ? "sym" : r.NoiseType, r.NoiseRate) == setting)
                         .Select(r => r.Accuracy).ToList();
        return values.Count == 0 ? null : Summary.Of(values);
    }

    public string ToMarkdown(string firstColumn = "method")
    {
        var sb = new StringBuilder();
        var settings = Settings;
        sb.AppendLine($"| {firstColumn} | {string.Join(" | ", settings.Select(s => s.Label))} |");
        sb.AppendLine($"|---|{string.Concat(settings.Select(_ => "---|"))}");
        foreach (var m in Methods)
            sb.AppendLine($"| {m} | {string.Join(" | ", settings.Select(s => Cell(m, s)?.ToString() ?? "–"))} |");
        return sb.ToString();
    }

    public string ToCsv()
    {
        var sb = new StringBuilder("method,noise_type,noise_rate,seed,accuracy\n");
        foreach (var r in Runs)
            sb.AppendLine(string.Join(",", r.Method, r.NoiseType, r.NoiseRate.ToString(CultureInfo.InvariantCulture),
                r.Seed, r.Accuracy.ToString("F4", CultureInfo.InvariantCulture)));
        return sb.ToString();
    }
}

static class RunResultExtensions
{
    public static double Rate(this RunResult r) => r.NoiseType == "none" ? 0 : r.NoiseRate;
}
