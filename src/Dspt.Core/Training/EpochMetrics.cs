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
    /// <summary>Top-1 (%) on the few-shot val split with its labels as given (possibly noisy, as a user has them).</summary>
    public double? ValAccuracy { get; init; }

    /// <summary>Top-1 (%) on the test split, measured every N epochs when asked for.</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>With synthetic noise: the share (%) of mislabeled training samples predicted as their wrong given label (memorised noise).</summary>
    public double? NoisyAsGiven { get; init; }

    /// <summary>With synthetic noise: the share (%) of mislabeled training samples predicted as their true class.</summary>
    public double? NoisyAsTrue { get; init; }

    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;

    /// <summary>metrics.jsonl's format (also the checkpoint's copy): a curve a run does not measure is left out.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    public static string ToJsonLines(IEnumerable<EpochMetrics> metrics) =>
        string.Concat(metrics.Select(m => m.ToJsonLine() + "\n"));
}
