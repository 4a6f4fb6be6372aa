namespace Dspt.Reporting;

/// <summary>
/// One finished run as a report reads it from its folder (final.json, with manifest.json for
/// runs written before final.json said what was run). Accuracies in percent. <see cref="Learner"/>
/// is "coop" and <see cref="Classes"/> "all" for runs that do not say; a run trained on the base
/// classes carries its new-class accuracy and the harmonic mean (null otherwise).
/// </summary>
public sealed record RunRecord(
    string Folder,
    string Dataset,
    string Model,
    int Shots,
    string Noise,
    string Method,
    string Loss,
    int Seed,
    double Accuracy,
    double MeanClassAccuracy,
    double ZeroShotAccuracy,
    int Epochs,
    string Select,
    int? SelectedEpoch,
    string? RunId,
    string? PlanHash,
    string Learner = "coop",
    string Classes = "all",
    double? NewAccuracy = null,
    double? HarmonicMean = null,
    double? ZeroShotNewAccuracy = null)
{
    public NoiseSetting Setting
    {
        get
        {
            var n = Data.NoiseSpec.Parse(Noise);
            return n.Type switch
            {
                Data.NoiseSpec.None => new NoiseSetting("sym", 0),
                Data.NoiseSpec.Sym or Data.NoiseSpec.Asym => new NoiseSetting(n.Rate == 0 ? "sym" : n.Type, n.Rate),
                _ => new NoiseSetting(n.Type, Shots > 0 ? (double)n.PerClass / Shots : 0),
            };
        }
    }
}
