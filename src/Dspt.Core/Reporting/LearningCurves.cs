using System.Text.Json;

namespace Dspt.Reporting;

/// <summary>One epoch's learning-curve values from metrics.jsonl (percent; null where not measured).</summary>
public sealed record CurvePoint(int Epoch, double? ValAccuracy, double? TestAccuracy, double? NoisyAsGiven, double? NoisyAsTrue, double TrainAccuracy);

/// <summary>Reads the learning-curve fields of a run's metrics.jsonl.</summary>
public static class LearningCurves
{
    public static IReadOnlyList<CurvePoint> Read(string runFolder)
    {
        string file = Path.Combine(runFolder, "metrics.jsonl");
        if (!File.Exists(file)) return [];
        var points = new List<CurvePoint>();
        int line = 0;
        foreach (var text in File.ReadLines(file))
        {
            line++;
            if (text.Trim().Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var o = doc.RootElement;
                double? Num(string key) => o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
                points.Add(new CurvePoint((int)(Num("epoch") ?? line), Num("val_accuracy"), Num("test_accuracy"), Num("noisy_as_given"), Num("noisy_as_true"), Num("train_accuracy") ?? double.NaN));
            }
            catch (JsonException e) { throw new InvalidInputException($"{file}: line {line} is not JSON: {e.Message}", e); }
        }
        return points;
    }

    /// <summary>Per epoch, the mean over runs of one value (epochs where no run has it are left out).</summary>
    public static (double[] Epochs, double[] Values) Mean(IEnumerable<IReadOnlyList<CurvePoint>> runs, Func<CurvePoint, double?> value)
    {
        var byEpoch = runs.SelectMany(r => r).Where(p => value(p) is double v && double.IsFinite(v))
            .GroupBy(p => p.Epoch).OrderBy(g => g.Key).ToList();
        return ([.. byEpoch.Select(g => (double)g.Key)], [.. byEpoch.Select(g => g.Average(p => value(p)!.Value))]);
    }
}
