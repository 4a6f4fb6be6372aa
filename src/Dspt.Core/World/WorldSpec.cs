namespace Dspt.World;

/// <summary>
/// A distribution over scenes: which attribute values may appear (each drawn uniformly from its
/// list) and how often counts and styles occur. Narrow it with <c>with</c> (a task fixes the
/// label's attribute, a pretraining batch limits colours and tones); shift it between pretraining
/// and a downstream task through the style rates.
/// </summary>
public sealed record WorldSpec
{
    public IReadOnlyList<Shape> Shapes { get; init; } = Enum.GetValues<Shape>();
    public IReadOnlyList<ObjectColour> Colours { get; init; } = Enum.GetValues<ObjectColour>();
    public IReadOnlyList<ObjectSize> Sizes { get; init; } = Enum.GetValues<ObjectSize>();
    public IReadOnlyList<Texture> Textures { get; init; } = Enum.GetValues<Texture>();
    public IReadOnlyList<Tone> Tones { get; init; } = Enum.GetValues<Tone>();

    /// <summary>Relative weights of 1, 2 and 3 copies of the object (copies are always small).</summary>
    public IReadOnlyList<double> CountWeights { get; init; } = [0.75, 0.15, 0.10];

    /// <summary>
    /// Share of scenes whose shape is drawn among the shapes typical of the scene's colour
    /// (WorldPalette.Typical: stars yellow, hearts red...), the rest independently. Objects in
    /// real photos come in typical colours, and a caption often leaves the colour out, so the text
    /// encoder learns a shape word with its usual colour attached: the spurious correlation a
    /// downstream task without it (rate 0) must overcome.
    /// </summary>
    public double TypicalColourRate { get; init; }

    /// <summary>Each copy is rotated uniformly within +- this; 15 keeps square/diamond and cross/x apart.</summary>
    public double MaxRotationDegrees { get; init; } = 15;

    // Shares of the non-filled styles (the rest is Filled); at most 1 together.
    public double OutlineRate { get; init; } = 0.10;
    public double FaintRate { get; init; } = 0.05;
    public double NoisyRate { get; init; } = 0.05;

    /// <summary>Opacity of a Faint object over its background (1 would be Filled).</summary>
    public double FaintContrast { get; init; } = 0.35;

    /// <summary>Standard deviation, in 0-255 levels, of a Noisy image's per-channel pixel noise.</summary>
    public double NoiseSigma { get; init; } = 24;

    /// <summary>
    /// The distribution the small CLIP is pretrained on: mostly filled, a few shifted styles so it
    /// knows them, and shapes tied to their typical colours (the bias downstream tasks lack).
    /// </summary>
    public static WorldSpec Pretraining { get; } = new() { TypicalColourRate = 0.6 };

    /// <summary>
    /// The downstream distribution: colours independent of shapes (the text prior's colour
    /// expectations mislead it there), with <paramref name="shiftedFraction"/> of the items in a
    /// shifted style, split equally between outline, faint and noisy (the default task has none).
    /// </summary>
    public static WorldSpec Downstream(double shiftedFraction = 0) => new()
    {
        OutlineRate = shiftedFraction / 3,
        FaintRate = shiftedFraction / 3,
        NoisyRate = shiftedFraction / 3,
    };

    /// <summary>Downstream images with <paramref name="fraction"/> of them in one shifted style (the rest filled).</summary>
    public static WorldSpec DownstreamIn(Style style, double fraction) => style switch
    {
        Style.Outline => new() { OutlineRate = fraction, FaintRate = 0, NoisyRate = 0 },
        Style.Faint => new() { OutlineRate = 0, FaintRate = fraction, NoisyRate = 0 },
        Style.Noisy => new() { OutlineRate = 0, FaintRate = 0, NoisyRate = fraction },
        _ => new() { OutlineRate = 0, FaintRate = 0, NoisyRate = 0 },
    };

    /// <summary>Throws InvalidInputException naming the field when the spec cannot be sampled.</summary>
    public WorldSpec Validated(string source = "world spec")
    {
        NonEmptyDistinct(Shapes, nameof(Shapes));
        NonEmptyDistinct(Colours, nameof(Colours));
        NonEmptyDistinct(Sizes, nameof(Sizes));
        NonEmptyDistinct(Textures, nameof(Textures));
        NonEmptyDistinct(Tones, nameof(Tones));
        if (CountWeights.Count is < 1 or > 3 || CountWeights.Any(w => !(w >= 0) || double.IsInfinity(w)) || !(CountWeights.Sum() > 0))
            throw Bad(nameof(CountWeights), "1 to 3 finite non-negative weights (for 1, 2, 3 copies) with a positive sum", string.Join(", ", CountWeights));
        if (CountWeights.Skip(1).Any(w => w > 0) && !Sizes.Contains(ObjectSize.Small))
            throw Bad(nameof(Sizes), "to contain Small when more than one copy can occur (copies are small)", string.Join(", ", Sizes));
        if (!(MaxRotationDegrees is >= 0 and <= 45))
            throw Bad(nameof(MaxRotationDegrees), "a value in [0, 45]", MaxRotationDegrees);
        foreach (var (name, rate) in new[] { (nameof(OutlineRate), OutlineRate), (nameof(FaintRate), FaintRate), (nameof(NoisyRate), NoisyRate) })
            if (!(rate is >= 0 and <= 1))
                throw Bad(name, "a rate in [0, 1]", rate);
        if (OutlineRate + FaintRate + NoisyRate > 1 + 1e-12)
            throw Bad("OutlineRate + FaintRate + NoisyRate", "at most 1", OutlineRate + FaintRate + NoisyRate);
        if (!(TypicalColourRate is >= 0 and <= 1))
            throw Bad(nameof(TypicalColourRate), "a rate in [0, 1]", TypicalColourRate);
        if (!(FaintContrast is > 0 and <= 1))
            throw Bad(nameof(FaintContrast), "a value in (0, 1]", FaintContrast);
        if (!(NoiseSigma is >= 0 and <= 128))
            throw Bad(nameof(NoiseSigma), "a value in [0, 128]", NoiseSigma);
        return this;

        void NonEmptyDistinct<T>(IReadOnlyList<T> values, string field)
        {
            if (values.Count == 0 || values.Distinct().Count() != values.Count)
                throw Bad(field, "a non-empty list without repeats", string.Join(", ", values));
        }

        InvalidInputException Bad(string field, string expected, object got) =>
            new($"{source}: {field} must be {expected}, got {got}");
    }
}
