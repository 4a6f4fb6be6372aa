namespace Dspt.Data;

/// <summary>
/// Everything a run reads: the classes and template, the drawn training items with their given
/// (possibly wrong) labels and, for analysis only, their clean labels, the val shots, the test
/// split, and how the draw was made. <see cref="FewShotSplitFile"/> saves it so a run can be
/// repeated from that file alone.
/// </summary>
public sealed record FewShotSplit(
    string DatasetName,
    string Root,
    IReadOnlyList<string> ClassNames,
    string Template,
    int Shots,
    int Seed,
    NoiseSpec Noise,
    IReadOnlyList<NoisyItem> Train,
    IReadOnlyList<DataItem> Val,
    IReadOnlyList<DataItem> Test,
    NoiseReport Report)
{
    public int NumClasses => ClassNames.Count;

    /// <summary>The reviewer's corrections applied to the training items before the draw, if any.</summary>
    public CorrectionsRecord? Corrections { get; init; }

    public string Prompt(int label) => Template.Replace("{}", ClassNames[label]);

    /// <summary>The file name a run folder keeps the split under.</summary>
    public const string FileName = "fewshot.json";
}
