using System.Text.Json;
using Dspt.Runs;

namespace Dspt.Reporting;

/// <summary>
/// Finds run folders (any folder with final.json) under the given folders and reads them; every
/// number of a report comes from these files. Folders with a manifest but no final.json are
/// listed as unfinished.
/// </summary>
public static class RunFolderReader
{
    public static (IReadOnlyList<RunRecord> Runs, IReadOnlyList<string> Unfinished) Read(IEnumerable<string> roots)
    {
        var runs = new List<RunRecord>();
        var unfinished = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            string full = Path.GetFullPath(root);
            if (!Directory.Exists(full)) throw new InvalidInputException($"{full}: no such folder (give run folders or a sweep's output folder)");
            foreach (var manifestOrFinal in Directory.EnumerateFiles(full, "*.json", SearchOption.AllDirectories)
                         .Where(f => Path.GetFileName(f) is "final.json" or "manifest.json").Order(StringComparer.Ordinal))
            {
                string dir = Path.GetDirectoryName(manifestOrFinal)!;
                if (!seen.Add(dir)) continue;
                var folder = new RunFolder(dir);
                if (!folder.IsComplete)
                {
                    if (IsRunManifest(folder.Manifest)) unfinished.Add(dir);
                    continue;
                }
                runs.Add(ReadOne(folder));
            }
        }
        return (WithLearnerNames(runs), unfinished);
    }

    static bool IsRunManifest(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("format", out var f) && f.GetString() == RunManifest.FormatTag;
        }
        catch (JsonException) { return false; }
    }

    public static RunRecord ReadOne(RunFolder folder)
    {
        FinalResult f;
        try { f = folder.ReadFinal(); }
        catch (JsonException e) { throw new InvalidInputException($"{folder.Final}: not a run result: {e.Message}", e); }
        RunManifest? manifest = folder.HasManifest ? folder.ReadManifest() : null;
        var spec = manifest?.Spec;
        string dataset = f.DatasetName ?? spec?.Sweep?.DatasetName ?? Short(f.Dataset ?? spec?.Dataset) ?? "dataset";
        string model = f.ModelName ?? spec?.Sweep?.ModelName ?? Short(f.Model ?? spec?.Model) ?? "model";
        int shots = f.Shots ?? spec?.Shots ?? 0;
        string noise = f.Noise ?? spec?.Noise ?? (f.NoiseType == "none" ? "none" : $"{f.NoiseType}:{f.NoiseRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        string method = MethodNames.Display(f.MethodName ?? spec?.Sweep?.MethodName ?? f.Method);
        if (!double.IsFinite(f.Accuracy) || f.Accuracy is < 0 or > 100)
            throw new InvalidInputException($"{folder.Final}: field 'accuracy' = {f.Accuracy}, expected a percentage in [0, 100]");
        return new RunRecord(folder.Path, dataset, model, shots, noise, method, f.Loss ?? spec?.Loss ?? f.Method, f.Seed, f.Accuracy, f.MeanClassAccuracy,
            f.ZeroShotAccuracy, f.Epochs, f.Select ?? "last", f.SelectedEpoch, f.RunId ?? spec?.Sweep?.RunId, f.PlanHash ?? spec?.Sweep?.PlanHash,
            f.Learner ?? spec?.LearnerName ?? "coop", f.Classes ?? spec?.ClassesName ?? "all", f.NewAccuracy, f.HarmonicMean, f.ZeroShotNewAccuracy);
    }

    /// <summary>
    /// When any run's learner is not CoOp, every method is named with its learner ("CoCoOp
    /// DSPT", "CoOp CE"), so rows of different learners never merge; CoOp-only reports keep
    /// their names.
    /// </summary>
    public static IReadOnlyList<RunRecord> WithLearnerNames(IReadOnlyList<RunRecord> runs) =>
        runs.All(r => r.Learner.Trim().ToLowerInvariant() == "coop") ? runs
            : [.. runs.Select(r => r with { Method = $"{MethodNames.Learner(r.Learner)} {r.Method}" })];

    static string? Short(string? address) => address is null ? null
        : Builtin.BuiltinDataset.Is(address) ? Builtin.BuiltinDataset.Parse(address).ShortName
        : Builtin.BuiltinModel.Is(address) ? "builtin"
        : Path.GetFileNameWithoutExtension(address.TrimEnd('/'));
}
