using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dspt.Runs;

/// <summary>
/// final.json, written last: the run's outcome. The first five fields are those of
/// <c>Dspt.Reporting.RunResult</c> (accuracies in percent), so results tables read it directly.
/// The rest say what was run, so a report needs no other file: dataset and model (address, name,
/// weights sha256), shots, noise as given, the sweep's run id and plan hash when it came from one,
/// and which epoch's prompt was kept. <see cref="Learner"/> and <see cref="Classes"/> are written
/// only for learners other than CoOp and class selections other than all; a run trained on the
/// base classes also records its prompt's accuracy on the new classes, zero-shot's, and the
/// harmonic mean 2BN/(B+N) of <see cref="Accuracy"/> (base) and <see cref="NewAccuracy"/>.
/// </summary>
public sealed record FinalResult(
    string Method,
    string NoiseType,
    double NoiseRate,
    int Seed,
    double Accuracy,
    double MeanClassAccuracy,
    double ZeroShotAccuracy,
    int TestSamples,
    int TrainSamples,
    int Epochs,
    double TrainSeconds)
{
    /// <summary>final.json's format: the manifest's, with the fields a run does not have left out.</summary>
    public static readonly JsonSerializerOptions Json = new(RunManifest.Json) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string? Dataset { get; init; }
    public string? DatasetName { get; init; }
    public string? Model { get; init; }
    public string? ModelName { get; init; }
    public string? ModelSha256 { get; init; }
    public int? Shots { get; init; }
    public string? Noise { get; init; }
    public string? Loss { get; init; }
    public string? MethodName { get; init; }
    public string? RunId { get; init; }
    public string? PlanName { get; init; }
    public string? PlanHash { get; init; }
    public string? Select { get; init; }
    public int? SelectedEpoch { get; init; }
    public string? Learner { get; init; }
    public string? Classes { get; init; }
    public double? NewAccuracy { get; init; }
    public double? ZeroShotNewAccuracy { get; init; }
    public double? HarmonicMean { get; init; }
}
