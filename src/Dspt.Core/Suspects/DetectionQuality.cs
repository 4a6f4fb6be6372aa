namespace Dspt.Suspects;

/// <summary>How well one suspicion score finds the truly wrong labels, when they are known.</summary>
public sealed record DetectionQuality(
    string Score, int Flagged, double Precision, double Recall, double F1, int K, double PrecisionAtK, double Auroc, double Auprc);
