namespace Dspt.Suspects;

/// <summary>
/// Every score of one training sample from one set of probabilities. Quality scores (cleanlab's,
/// <see cref="OtGivenShare"/>) are in [0, 1] with low = suspicious; <see cref="ConfidentIssue"/>
/// is confident learning's decision (prune_by_noise_rate), <see cref="OtDisagrees"/> NLPrompt's
/// (OT pseudo-label differs from the given label); <see cref="Suggested"/> is the argmax class.
/// </summary>
public sealed record SampleScores(
    int Given,
    int Suggested,
    double SuggestedProbability,
    double SelfConfidence,
    double NormalizedMargin,
    double ConfidenceWeightedEntropy,
    bool ConfidentIssue,
    int OtLabel,
    double OtGivenShare)
{
    public bool OtDisagrees => OtLabel != Given;
}
