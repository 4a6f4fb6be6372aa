namespace Dspt.Data;

/// <summary>
/// A classification dataset as read from disk: prompt-ready class names (CoOp's clean-up already
/// applied), the dataset's zero-shot template ("a photo of a {}."), and the three splits.
/// </summary>
public sealed record Dataset(
    string Name,
    string Root,
    IReadOnlyList<string> ClassNames,
    string Template,
    IReadOnlyList<DataItem> Train,
    IReadOnlyList<DataItem> Val,
    IReadOnlyList<DataItem> Test)
{
    public int NumClasses => ClassNames.Count;

    /// <summary>The template filled with one class name, as CoOp's zero-shot CLIP does.</summary>
    public string Prompt(int label) => Template.Replace("{}", ClassNames[label]);

    /// <summary>The layout the reader recognised (see <see cref="DatasetFormats"/>).</summary>
    public string Format { get; init; } = "";
}
