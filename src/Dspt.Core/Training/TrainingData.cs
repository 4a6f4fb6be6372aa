namespace Dspt.Training;

/// <summary>
/// The images a run reads, as absolute paths with labels: the drawn training shots with their
/// given (possibly wrong) labels, and the test split. Clean labels are deliberately absent.
/// </summary>
public sealed record TrainingData(
    IReadOnlyList<string> ClassNames,
    string Template,
    IReadOnlyList<string> TrainPaths,
    IReadOnlyList<long> TrainLabels,
    IReadOnlyList<string> TestPaths,
    IReadOnlyList<long> TestLabels)
{
    /// <summary>The dataset root the paths must stay inside when they are opened (null: not checked).</summary>
    public string? Root { get; init; }
}
