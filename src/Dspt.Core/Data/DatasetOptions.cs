namespace Dspt.Data;

/// <summary>How <see cref="DatasetReader"/> reads a dataset. The defaults reproduce CoOp.</summary>
public sealed record DatasetOptions
{
    /// <summary>
    /// Train/val/test fractions for layouts without a fixed split (an image folder, a manifest
    /// without a split column). CoOp's own default for unsplit folders (DTD.read_and_split_data)
    /// is 0.5/0.2/0.3. Use 1,0,0 to put everything in train.
    /// </summary>
    public IReadOnlyList<double> SplitRatios { get; init; } = [0.5, 0.2, 0.3];

    /// <summary>
    /// Seed of that split. Kept apart from the few-shot seed on purpose: CoOp fixes its splits
    /// once (the split_zhou files), so runs with seeds 1, 2, 3 share one split.
    /// </summary>
    public int SplitSeed { get; init; }

    /// <summary>Class-name list of a manifest (one name a line; the label is the line index).
    /// Default: classnames.txt beside the manifest.</summary>
    public string? ClassNamesPath { get; init; }

    /// <summary>Overrides the dataset's zero-shot template; must contain "{}".</summary>
    public string? Template { get; init; }

    /// <summary>Skip missing or unreadable images with a warning instead of failing.</summary>
    public bool SkipBad { get; init; }

    /// <summary>Decode every image with SkiaSharp while reading (slow; off by default).</summary>
    public bool VerifyImages { get; init; }
}
