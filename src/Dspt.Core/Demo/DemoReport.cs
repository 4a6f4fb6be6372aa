using System.Globalization;
using System.Text;
using System.Text.Json;
using Dspt.IO;
using Dspt.Reporting;
using Dspt.World;

namespace Dspt.Demo;

/// <summary>
/// Writes the demo's outputs: report.md (every number computed from <see cref="DemoResult"/>,
/// none typed by hand), results.md / results.csv, accuracy-vs-noise.png, gradients.png,
/// manifest.json. Each file is written atomically.
/// </summary>
public static class DemoReport
{
    public const string ReportFile = "report.md";
    public const string CsvFile = "results.csv";
    public const string TableFile = "results.md";
    public const string NoisePlotFile = "accuracy-vs-noise.png";
    public const string GradientPlotFile = "gradients.png";
    public const string ManifestFile = "manifest.json";

    /// <summary>The prior must be real but imperfect (the issue's bands).</summary>
    public const double ZeroShotLow = 40, ZeroShotHigh = 85, CleanCeMargin = 5;

    public static void Write(string outDir, DemoResult r, string command)
    {
        Directory.CreateDirectory(outDir);
        var table = new ResultsTable(r.Runs);
        AtomicFile.WriteAllText(Path.Combine(outDir, CsvFile), table.ToCsv());
        AtomicFile.WriteAllText(Path.Combine(outDir, TableFile), table.ToMarkdown());
        AtomicFile.WriteAllBytes(Path.Combine(outDir, NoisePlotFile),
            NoisePlot.Render(table, r.ZeroShotAccuracy, $"World {r.TaskName} task, {r.Options.Shots} shots"));
        AtomicFile.WriteAllBytes(Path.Combine(outDir, GradientPlotFile), GradientPlot.Render(r.Gradients, r.GradientSetting));
        AtomicFile.WriteAllText(Path.Combine(outDir, ReportFile), Markdown(r, table, command));
        var manifest = new
        {
            command,
            options = r.Options,
            model_file = r.ModelFile,
            model_sha256 = r.ModelSha256,
            model = r.ModelDescription,
            task = r.TaskName,
            zero_shot = r.ZeroShotAccuracy,
            linear_probe = r.LinearProbeAccuracy,
            runs = r.Runs,
            seconds = r.Seconds,
            dspt_version = DsptVersion.Dspt,
            torchsharp_version = DsptVersion.TorchSharp,
            threads = TorchSharp.torch.get_num_threads(),
            created_utc = DateTime.UtcNow.ToString("o"),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, ManifestFile), JsonSerializer.Serialize(manifest, Runs.RunManifest.Json));
    }

    static string TypicalColourExamples() => string.Join(", ", new[] { ObjectColour.Yellow, ObjectColour.Red }.Select(colour =>
        string.Join(" and ", Enum.GetValues<Shape>().Where(s => WorldPalette.Typical(s) == colour).Select(WorldNames.Plural)) + " " + WorldNames.Name(colour)));

    static string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);

    public static string Markdown(DemoResult r, ResultsTable table, string command)
    {
        var o = r.Options;
        var sb = new StringBuilder();
        sb.AppendLine("# Dspt demo: noisy-label prompt tuning on the built-in world");
        sb.AppendLine();
        sb.AppendLine($"Command: `{command}` ({F(r.Seconds)} s). Model: `{Path.GetFileName(r.ModelFile)}` ({r.ModelDescription}), sha256 `{r.ModelSha256[..16]}…`.");
        sb.AppendLine($"Task: world **{r.TaskName}** ({r.Classes} classes), {o.Shots} shots per class, test split of {r.TestImages} images. " +
                      $"Pretraining tied each shape to a typical colour ({WorldSpec.Pretraining.TypicalColourRate:P0} of its scenes drew the shape " +
                      $"among the two typical of the scene's colour: {TypicalColourExamples()}, ...) and its captions name " +
                      $"the colour only {CaptionWriter.ColourRate:P0} of the time, so the text encoder's shape words carry a colour; the downstream " +
                      $"task draws colours independently of shapes" +
                      (o.ShiftedFraction > 0
                          ? $", and {o.ShiftedFraction:P0} of its images in the {(o.ShiftedStyle == "mixed" ? "outline, faint and noisy styles" : o.ShiftedStyle + " style")}, which pretraining saw rarely."
                          : "."));
        sb.AppendLine($"Training: CoOp (16 unified context vectors, class token at the end, SGD momentum 0.9, weight decay 5e-4, batch 32, " +
                      $"one warm-up epoch then cosine) for {DescribePerLoss(o, l => o.EpochsFor(l).ToString(CultureInfo.InvariantCulture))} epochs " +
                      $"(CoOp uses 200; fewer suffice on this small problem), lr {DescribePerLoss(o, l => o.LearningRateFor(l).ToString("G3", CultureInfo.InvariantCulture))}; " +
                      $"no augmentation (image features computed once); seeds {string.Join(", ", o.Seeds)}.");
        if (o.Learners.Any(l => l.Trim().ToLowerInvariant() != "coop"))
            sb.AppendLine($"Learners: {string.Join(", ", o.Learners.Select(Reporting.MethodNames.Learner))}; those other than CoOp start from their own configs " +
                          "(KgCoOp: 4 vectors from \"a photo of a\", W = 8; CoCoOp: 4 vectors from \"a photo of a\", batch 1" +
                          (o.EpochsForAllLearners ? "" : ", 10 epochs") + ").");
        sb.AppendLine("Noise follows the NLPrompt protocol: after few-shot sampling, exactly floor(r·N) labels are corrupted " +
                      "(sym: a uniformly drawn other class; asym: y → y+1 mod C).");
        sb.AppendLine();

        sb.AppendLine("## Is the prior real and imperfect?");
        sb.AppendLine();
        var cleanCe = table.Cell("CE", new NoiseSetting("sym", 0));
        sb.AppendLine("| check | value | wanted | met |");
        sb.AppendLine("|---|---|---|---|");
        sb.AppendLine($"| zero-shot top-1 (template \"{WorldTaskTemplate(r)}\") | {F(r.ZeroShotAccuracy)} % | {ZeroShotLow:F0}–{ZeroShotHigh:F0} % | {Yes(r.ZeroShotAccuracy is >= ZeroShotLow and <= ZeroShotHigh)} |");
        if (cleanCe is not null)
            sb.AppendLine($"| clean {o.Shots}-shot CE prompt tuning | {cleanCe} % | ≥ zero-shot + {CleanCeMargin:F0} = {F(r.ZeroShotAccuracy + CleanCeMargin)} % | {Yes(cleanCe.Mean >= r.ZeroShotAccuracy + CleanCeMargin)} |");
        sb.AppendLine($"| clean {o.Shots}-shot linear probe on the image features | {F(r.LinearProbeAccuracy)} % | ≥ zero-shot | {Yes(r.LinearProbeAccuracy >= r.ZeroShotAccuracy)} |");
        sb.AppendLine();

        sb.AppendLine("## Test accuracy (%), mean ± std over seeds");
        sb.AppendLine();
        sb.AppendLine($"Zero-shot reference: {F(r.ZeroShotAccuracy)} %.");
        sb.AppendLine();
        sb.Append(table.ToMarkdown());
        sb.AppendLine();
        sb.AppendLine($"![accuracy against noise]({NoisePlotFile})");
        sb.AppendLine();

        sb.AppendLine("## What the results show");
        sb.AppendLine();
        foreach (var line in Findings(r, table)) sb.AppendLine($"- {line}");
        sb.AppendLine();

        sb.AppendLine("## Per-sample gradients");
        sb.AppendLine();
        sb.AppendLine($"Setting: {r.GradientSetting}. Each point is one training sample: the probability the model gives its (possibly wrong) label, " +
                      "and the norm of that sample's gradient with respect to the logits.");
        sb.AppendLine();
        sb.AppendLine("| loss | mean gradient norm, clean labels | mean gradient norm, wrong labels | wrong / clean |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var (loss, samples) in r.Gradients)
        {
            double cleanMean = samples.Where(s => !s.Mislabeled).Select(s => s.GradientNorm).DefaultIfEmpty(double.NaN).Average();
            double wrongMean = samples.Where(s => s.Mislabeled).Select(s => s.GradientNorm).DefaultIfEmpty(double.NaN).Average();
            sb.AppendLine($"| {loss} | {cleanMean:F3} | {wrongMean:F3} | {wrongMean / cleanMean:F2} |");
        }
        sb.AppendLine();
        sb.AppendLine($"![per-sample gradients]({GradientPlotFile})");
        sb.AppendLine();
        sb.AppendLine($"Files: `{CsvFile}` (one row per run), `{TableFile}`, `{ManifestFile}` (options, model hash, versions).");
        return sb.ToString();
    }

    static string WorldTaskTemplate(DemoResult r) => WorldTask.ByName(r.TaskName).Template;

    static string Yes(bool ok) => ok ? "yes" : "**no**";

    static string DescribePerLoss(DemoOptions o, Func<string, string> value)
    {
        var values = o.Losses.Select(l => (l, v: value(l))).ToList();
        return values.Select(x => x.v).Distinct().Count() == 1
            ? values[0].v
            : string.Join(", ", values.Select(x => $"{DemoRunner.DisplayName(x.l)} {x.v}"));
    }

    /// <summary>Plain statements derived from the table, whichever way they come out.</summary>
    static IEnumerable<string> Findings(DemoResult r, ResultsTable table)
    {
        var settings = table.Settings;
        var noisy = settings.Where(s => s.Rate > 0).ToList();
        foreach (var s in settings)
        {
            var ranked = table.Methods.Select(m => (m, c: table.Cell(m, s))).Where(x => x.c != null).OrderByDescending(x => x.c!.Mean).ToList();
            if (ranked.Count == 0) continue;
            var dspt = ranked.FirstOrDefault(x => x.m == "DSPT");
            var ce = ranked.FirstOrDefault(x => x.m == "CE");
            string best = $"best: {ranked[0].m} ({ranked[0].c})";
            string vs = dspt.c != null && ce.c != null
                ? $"; DSPT {(dspt.c.Mean >= ce.c.Mean ? "beats" : "trails")} CE by {F(Math.Abs(dspt.c.Mean - ce.c.Mean))} points ({dspt.c} vs {ce.c})"
                : "";
            string vsZeroShot = dspt.c != null ? $"; DSPT is {F(Math.Abs(dspt.c.Mean - r.ZeroShotAccuracy))} points {(dspt.c.Mean >= r.ZeroShotAccuracy ? "above" : "below")} zero-shot" : "";
            yield return $"{s.Label}{(s.Rate > 0 ? " noise" : " (clean labels)")}: {best}{vs}{vsZeroShot}.";
        }
        var dsptWins = noisy.Count(s => table.Cell("DSPT", s) is { } d && table.Cell("CE", s) is { } c && d.Mean > c.Mean);
        if (noisy.Count > 0 && table.Methods.Contains("DSPT") && table.Methods.Contains("CE"))
            yield return $"Over the {noisy.Count} noisy settings DSPT is ahead of CE in {dsptWins}.";
        var robust = table.Methods.Where(m => m != "CE").ToList();
        foreach (var s in noisy)
        {
            var bounded = robust.Select(m => (m, c: table.Cell(m, s))).Where(x => x.c != null).ToList();
            if (bounded.Count < 2 || !bounded.Any(x => x.m == "DSPT")) continue;
            var d = bounded.First(x => x.m == "DSPT").c!;
            var others = bounded.Where(x => x.m != "DSPT").ToList();
            var closest = others.MinBy(x => Math.Abs(x.c!.Mean - d.Mean));
            bool withinNoise = Math.Abs(closest.c!.Mean - d.Mean) <= Math.Max(d.Std, closest.c.Std);
            yield return $"{s.Label} noise, DSPT against the other noise-robust methods ({string.Join(", ", others.Select(x => $"{x.m} {x.c}"))}): " +
                         (withinNoise ? "within one standard deviation of the closest, i.e. no clear difference." :
                          d.Mean > others.Max(x => x.c!.Mean) ? "ahead of all of them." :
                          d.Mean < others.Min(x => x.c!.Mean) ? "behind all of them." : "in between.");
        }
        if (r.Gradients.FirstOrDefault(g => g.Loss == "CE").Samples is { } ceS && r.Gradients.FirstOrDefault(g => g.Loss == "DSPT").Samples is { } dsS)
        {
            double ceWrong = ceS.Where(s => s.Mislabeled).Select(s => s.GradientNorm).DefaultIfEmpty(double.NaN).Average();
            double dsWrong = dsS.Where(s => s.Mislabeled).Select(s => s.GradientNorm).DefaultIfEmpty(double.NaN).Average();
            yield return $"Mislabeled samples pull with a mean gradient norm of {ceWrong:F3} under CE and {dsWrong:F3} under DSPT " +
                         $"({(dsWrong / ceWrong):P0} of CE's): the second softmax {(dsWrong < ceWrong / 2 ? "suppresses" : "does not clearly suppress")} them.";
        }
    }
}
