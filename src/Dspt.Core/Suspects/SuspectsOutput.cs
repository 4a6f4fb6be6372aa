using System.Globalization;
using System.Text;
using Dspt.IO;

namespace Dspt.Suspects;

/// <summary>
/// Writes a suspects folder: suspects.csv (every item, most suspicious first), summary.md,
/// suspects.html with its thumbnails folder, and with known truth detection.csv and
/// pr-curves.png. manifest.json is the caller's (it knows the settings).
/// </summary>
public static class SuspectsOutput
{
    public const string Csv = "suspects.csv", Summary = "summary.md", DetectionCsv = "detection.csv", PrCurves = "pr-curves.png";

    /// <param name="thumbnail">PNG bytes of an item's thumbnail (by path), null when it cannot be read</param>
    /// <param name="pageItems">how many of the most suspicious items the page shows</param>
    public static void Write(string directory, SuspectsResult result, string title, string storageKey, Func<string, byte[]?> thumbnail,
        int pageItems, int summaryItems = 24)
    {
        Directory.CreateDirectory(directory);
        var order = result.Order();
        WriteCsv(Path.Combine(directory, Csv), result, order);
        var thumbs = WriteThumbnails(directory, result, order.Take(Math.Max(pageItems, summaryItems)).ToArray(), thumbnail);
        var detection = result.Detection();
        if (detection.Count > 0)
        {
            WriteDetectionCsv(Path.Combine(directory, DetectionCsv), detection);
            var wrong = result.Items.Select(i => i.IsWrong!.Value).ToArray();
            AtomicFile.WriteAllBytes(Path.Combine(directory, PrCurves), PrCurvePlot.Render(result.AllSuspicions(), wrong, title));
        }
        AtomicFile.WriteAllText(Path.Combine(directory, Summary), SummaryMarkdown(result, order, detection, thumbs, title, summaryItems));
        var names = result.ClassNames;
        SuspectsPage.Write(directory, title, storageKey, names, [.. order.Take(pageItems).Select(i =>
        {
            var item = result.Items[i];
            return new PageItem(item.Path, names[item.Given], names[item.Scores.Suggested], result.RankedBy.Suspicion(item.Scores),
                thumbs.GetValueOrDefault(i, ""), ScoreMap(item), item.Fold);
        })]);
    }

    static Dictionary<string, double> ScoreMap(SuspectItem item)
    {
        var s = item.Scores;
        var map = new Dictionary<string, double>
        {
            ["p(suggested)"] = s.SuggestedProbability,
            ["self_confidence"] = s.SelfConfidence,
            ["normalized_margin"] = s.NormalizedMargin,
            ["confidence_weighted_entropy"] = s.ConfidenceWeightedEntropy,
            ["confident_learning_issue"] = s.ConfidentIssue ? 1 : 0,
            ["ot_given_share"] = s.OtGivenShare,
            ["ot_disagrees"] = s.OtDisagrees ? 1 : 0,
        };
        if (!double.IsNaN(item.ZeroShotConfidence)) map["zero_shot_p_given"] = item.ZeroShotConfidence;
        if (!double.IsNaN(item.InSampleConfidence)) map["in_sample_ce_p_given"] = item.InSampleConfidence;
        return map;
    }

    static Dictionary<int, string> WriteThumbnails(string directory, SuspectsResult result, int[] items, Func<string, byte[]?> thumbnail)
    {
        var folder = Path.Combine(directory, SuspectsPage.ThumbnailFolder);
        Directory.CreateDirectory(folder);
        var written = new Dictionary<int, string>();
        foreach (int i in items)
        {
            if (thumbnail(result.Items[i].Path) is not { } png) continue;
            string name = $"{i:D6}.png";
            AtomicFile.WriteAllBytes(Path.Combine(folder, name), png);
            written[i] = $"{SuspectsPage.ThumbnailFolder}/{name}";
        }
        return written;
    }

    static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);

    static string Field(string text) => text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";

    static void WriteCsv(string path, SuspectsResult result, int[] order)
    {
        var names = result.ClassNames;
        bool truth = result.TruthKnown;
        bool zs = result.Items.All(i => !double.IsNaN(i.ZeroShotConfidence)), ins = result.Items.All(i => !double.IsNaN(i.InSampleConfidence));
        var sb = new StringBuilder();
        sb.Append("rank,path,given,suggested,suggested_probability,self_confidence,normalized_margin,confidence_weighted_entropy,confident_learning_issue,ot_label,ot_given_share,ot_disagrees,fold");
        if (zs) sb.Append(",zero_shot_p_given");
        if (ins) sb.Append(",in_sample_ce_p_given");
        if (truth) sb.Append(",true_label,wrong");
        sb.Append('\n');
        int rank = 0;
        foreach (int i in order)
        {
            var item = result.Items[i];
            var s = item.Scores;
            sb.Append(CultureInfo.InvariantCulture, $"{++rank},{Field(item.Path)},{Field(names[item.Given])},{Field(names[s.Suggested])},{F(s.SuggestedProbability)},{F(s.SelfConfidence)},{F(s.NormalizedMargin)},{F(s.ConfidenceWeightedEntropy)},{(s.ConfidentIssue ? 1 : 0)},{Field(names[s.OtLabel])},{F(s.OtGivenShare)},{(s.OtDisagrees ? 1 : 0)},{item.Fold}");
            if (zs) sb.Append(',').Append(F(item.ZeroShotConfidence));
            if (ins) sb.Append(',').Append(F(item.InSampleConfidence));
            if (truth) sb.Append(',').Append(Field(names[item.Truth!.Value])).Append(',').Append(item.IsWrong!.Value ? 1 : 0);
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    static void WriteDetectionCsv(string path, IReadOnlyList<DetectionQuality> rows)
    {
        var sb = new StringBuilder("score,flagged,precision,recall,f1,k,precision_at_k,auroc,auprc\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"{Field(r.Score)},{r.Flagged},{F(r.Precision)},{F(r.Recall)},{F(r.F1)},{r.K},{F(r.PrecisionAtK)},{F(r.Auroc)},{F(r.Auprc)}\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>The detection table as markdown (also used by the docs).</summary>
    public static string DetectionTable(IReadOnlyList<DetectionQuality> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("| score | flagged | precision | recall | F1 | precision@k | AUROC | AUPRC |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(inv, $"| {r.Score} | {r.Flagged} | {r.Precision:F3} | {r.Recall:F3} | {r.F1:F3} | {r.PrecisionAtK:F3} (k={r.K}) | {r.Auroc:F3} | {r.Auprc:F3} |"));
        return sb.ToString();
    }

    static string SummaryMarkdown(SuspectsResult result, int[] order, IReadOnlyList<DetectionQuality> detection, Dictionary<int, string> thumbs, string title, int summaryItems)
    {
        var inv = CultureInfo.InvariantCulture;
        var names = result.ClassNames;
        int n = result.Items.Count, k = names.Count;
        var sb = new StringBuilder();
        sb.AppendLine($"# {title}");
        sb.AppendLine();
        sb.AppendLine(result.OutOfSample
            ? $"{n} training items scored out of sample: each by a prompt trained on the other folds (fold in suspects.csv)."
            : $"{n} training items scored **in sample**, by a prompt trained on these same items: it has fitted their labels, so wrong labels look less suspicious than they would out of sample.");
        sb.AppendLine($"Ranked by {result.RankedBy.Name} ({result.RankedBy.Description}); every score is in suspects.csv, the review page is suspects.html.");
        sb.AppendLine();
        sb.AppendLine("## Estimated noise (confident learning)");
        sb.AppendLine();
        sb.AppendLine(string.Create(inv, $"Estimated noise rate {100 * result.Scored.EstimatedNoiseRate:F1} % (calibrated confident joint); estimated number of label issues {result.Scored.EstimatedIssues} ({100.0 * result.Scored.EstimatedIssues / n:F1} %); prune_by_noise_rate flags {result.Items.Count(i => i.Scores.ConfidentIssue)}, NLPrompt's OT disagrees on {result.Items.Count(i => i.Scores.OtDisagrees)}."));
        if (result.TruthKnown)
            sb.AppendLine(string.Create(inv, $"True noise rate {100.0 * result.Items.Count(i => i.IsWrong!.Value) / n:F1} % ({result.Items.Count(i => i.IsWrong!.Value)} wrong labels)."));
        sb.AppendLine();
        sb.AppendLine("| class | given | estimated noise rate | suggested elsewhere |" + (result.TruthKnown ? " truly wrong |" : ""));
        sb.AppendLine("|---|---|---|---|" + (result.TruthKnown ? "---|" : ""));
        for (int c = 0; c < k; c++)
        {
            var given = result.Items.Where(i => i.Given == c).ToList();
            sb.Append(string.Create(inv, $"| {names[c]} | {given.Count} | {100 * result.Scored.EstimatedNoiseRateByClass[c]:F1} % | {given.Count(i => i.Scores.Suggested != c)} |"));
            if (result.TruthKnown) sb.Append(string.Create(inv, $" {given.Count(i => i.IsWrong!.Value)} |"));
            sb.AppendLine();
        }
        sb.AppendLine();
        sb.AppendLine("## Given label against suggested label");
        sb.AppendLine();
        var pairs = result.Items.Where(i => i.Scores.Suggested != i.Given).GroupBy(i => (i.Given, i.Scores.Suggested))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).ToList();
        sb.AppendLine($"{result.Items.Count(i => i.Scores.Suggested == i.Given)} items keep their label; {pairs.Sum(p => p.Count())} get another suggested. The most frequent changes:");
        sb.AppendLine();
        sb.AppendLine("| given | suggested | items |");
        sb.AppendLine("|---|---|---|");
        foreach (var p in pairs.Take(20)) sb.AppendLine($"| {names[p.Key.Given]} | {names[p.Key.Suggested]} | {p.Count()} |");
        sb.AppendLine();
        if (detection.Count > 0)
        {
            sb.AppendLine("## Detection quality (true labels known)");
            sb.AppendLine();
            sb.Append(DetectionTable(detection));
            sb.AppendLine();
            sb.AppendLine("Flag-type scores (confident_learning, ot_disagreement) are cut at their own number of flags, the others at the estimated number of issues. Precision-recall curves: pr-curves.png.");
            sb.AppendLine();
            sb.AppendLine($"![precision-recall curves]({PrCurves})");
            sb.AppendLine();
        }
        sb.AppendLine("## Top suspects");
        sb.AppendLine();
        sb.AppendLine($"| rank | image | path | given | suggested (p) | suspicion ({result.RankedBy.Name}) |" + (result.TruthKnown ? " true label |" : ""));
        sb.AppendLine("|---|---|---|---|---|---|" + (result.TruthKnown ? "---|" : ""));
        int rank = 0;
        foreach (int i in order.Take(summaryItems))
        {
            var item = result.Items[i];
            string image = thumbs.TryGetValue(i, out var t) ? $"![]({t})" : "";
            sb.Append(string.Create(inv, $"| {++rank} | {image} | `{item.Path}` | {names[item.Given]} | {names[item.Scores.Suggested]} ({item.Scores.SuggestedProbability:F2}) | {result.RankedBy.Suspicion(item.Scores):G3} |"));
            if (result.TruthKnown) sb.Append($" {names[item.Truth!.Value]} |");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
