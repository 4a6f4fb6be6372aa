using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dspt.Evaluation;
using Dspt.IO;

namespace Dspt.Reporting;

/// <summary>
/// Writes evaluation results side by side (e.g. zero-shot CLIP as the reference row, then the
/// learned prompt): <c>evaluation.json</c>, <c>evaluation.md</c> and one
/// <c>confusion-&lt;name&gt;.csv</c> per result, all atomically.
/// </summary>
public static class EvaluationReport
{
    /// <param name="note">A line under the title, e.g. the zero-shot template.</param>
    public static void Write(string directory, string split, IReadOnlyList<EvaluationResult> results, string? note = null)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "evaluation.json"), ToJson(split, results, note));
        AtomicFile.WriteAllText(Path.Combine(directory, "evaluation.md"), ToMarkdown(split, results, note));
        foreach (var r in results)
            AtomicFile.WriteAllText(Path.Combine(directory, $"confusion-{FileSafe(r.Name)}.csv"), ConfusionCsv(r));
    }

    public static string ToJson(string split, IReadOnlyList<EvaluationResult> results, string? note = null) =>
        JsonSerializer.Serialize(new { split, note, results }, Json) + "\n";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    public static string ToMarkdown(string split, IReadOnlyList<EvaluationResult> results, string? note = null)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Evaluation on the {split} split\n\n");
        if (note is not null) md.Append(note).Append("\n\n");
        md.Append("| classifier | samples | top-1 (%) | mean per-class (%) |\n|---|---|---|---|\n");
        foreach (var r in results)
            md.Append(CultureInfo.InvariantCulture, $"| {Md(r.Name)} | {r.Total} | {Percent(r.Accuracy)} | {Percent(r.MeanClassAccuracy)} |\n");
        if (results.Count == 0) return md.ToString();
        md.Append("\n## Per-class accuracy (%)\n\n| class | samples | ")
          .Append(string.Join(" | ", results.Select(r => Md(r.Name)))).Append(" |\n|---|---|")
          .Append(string.Concat(results.Select(_ => "---|"))).Append('\n');
        for (int c = 0; c < results[0].PerClass.Count; c++)
        {
            var cls = results[0].PerClass[c];
            md.Append(CultureInfo.InvariantCulture, $"| {Md(cls.ClassName)} | {cls.Total} | ")
              .Append(string.Join(" | ", results.Select(r => r.PerClass[c].Accuracy is { } a ? Percent(a) : "-"))).Append(" |\n");
        }
        return md.ToString();
    }

    /// <summary>Rows are true classes, columns predicted classes; the first row and column name them.</summary>
    public static string ConfusionCsv(EvaluationResult result)
    {
        var names = result.PerClass.Select(c => Csv(c.ClassName)).ToList();
        var csv = new StringBuilder("true \\ predicted,").Append(string.Join(",", names)).Append('\n');
        for (int i = 0; i < names.Count; i++)
            csv.Append(names[i]).Append(',').Append(string.Join(",", result.Confusion[i])).Append('\n');
        return csv.ToString();
    }

    static string Md(string text) => text.Replace("|", "\\|");

    static string Percent(double percent) => percent.ToString("F2", CultureInfo.InvariantCulture);

    static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    /// <summary>"prompt (dspt)" -> "prompt-dspt": letters, digits, '.', '_' kept, other runs become one '-'.</summary>
    public static string FileSafe(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, "[^A-Za-z0-9._]+", "-").Trim('-') is { Length: > 0 } safe ? safe : "result";
}
