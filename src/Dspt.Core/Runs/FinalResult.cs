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
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Dataset { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DatasetName { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Model { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ModelName { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ModelSha256 { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Shots { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Noise { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Loss { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? MethodName { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RunId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PlanName { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PlanHash { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Select { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? SelectedEpoch { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Learner { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Classes { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? NewAccuracy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ZeroShotNewAccuracy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? HarmonicMean { get; init; }
}
