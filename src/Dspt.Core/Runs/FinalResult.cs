namespace Dspt.Runs;

/// <summary>
/// final.json, written last: the run's outcome. The first five fields are those of
/// <c>Dspt.Reporting.RunResult</c> (accuracies in percent), so results tables read it directly.
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
    double TrainSeconds);
