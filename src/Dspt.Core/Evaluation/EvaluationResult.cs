namespace Dspt.Evaluation;

/// <param name="Accuracy">Percent correct; null for a class without samples in the split.</param>
public sealed record ClassAccuracy(int Label, string ClassName, int Total, int Correct, double? Accuracy);

/// <summary>
/// Top-1 accuracy, per-class accuracy and the confusion matrix of one classifier on one split.
/// <see cref="Confusion"/>[true label][predicted label] counts samples. Accuracies are in percent
/// (as CoOp reports them and <c>Dspt.Reporting.RunResult</c> stores them); the mean over classes
/// skips classes without samples.
/// </summary>
public sealed record EvaluationResult(
    string Name,
    int Total,
    int Correct,
    double Accuracy,
    double MeanClassAccuracy,
    IReadOnlyList<ClassAccuracy> PerClass,
    long[][] Confusion);
