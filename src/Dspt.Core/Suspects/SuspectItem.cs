namespace Dspt.Suspects;

/// <summary>
/// One scored training item: where it is, its given label, its true label when known (synthetic
/// noise or --truth; null otherwise), the fold that held it out (-1: scored in sample), the
/// scores, and the reference probabilities of the given label (NaN when not computed).
/// </summary>
public sealed record SuspectItem(string Path, int Given, int? Truth, int Fold, SampleScores Scores, double ZeroShotConfidence, double InSampleConfidence)
{
    public bool? IsWrong => Truth is int t ? t != Given : null;
}
