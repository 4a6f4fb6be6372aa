using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dspt.Training;

/// <summary>
/// One line of metrics.jsonl. <see cref="Epoch"/> is 1-based (line k describes epoch k of E).
/// <see cref="TrainAccuracy"/> (percent) is measured against the given, possibly noisy, labels
/// during the epoch's training steps (as Dassl reports it); the true labels are never read in
/// training.
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double Loss,
    double LearningRate,
    double TrainAccuracy,
    int Samples,
    int Steps,
    double Seconds)
{
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    public static string ToJsonLines(IEnumerable<EpochMetrics> metrics) =>
        string.Concat(metrics.Select(m => m.ToJsonLine() + "\n"));
}
