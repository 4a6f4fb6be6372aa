namespace Dspt.World;

/// <summary>One copy of the object: its slot, centre and radius in pixels, and rotation.</summary>
public sealed record Placement(Position Slot, float X, float Y, float Radius, float RotationDegrees);

/// <summary>
/// Everything an image shows, fixed: rendering is a pure function of a Scene. Made by
/// WorldSampler; the caption describes it.
/// </summary>
/// <param name="Objects">Count copies of the same shape, colour and style, at distinct slots.</param>
/// <param name="TexturePeriod">Stripe, checker or dot spacing in pixels.</param>
/// <param name="TextureAngleDegrees">Orientation of stripes or checkers.</param>
/// <param name="TexturePhase">Offset of the pattern in pixels.</param>
/// <param name="NoiseSeed">Seeds the grain of a Grainy background and a Noisy image's pixel noise.</param>
/// <param name="Opacity">1 for Filled and Outline; the spec's FaintContrast for Faint.</param>
/// <param name="NoiseSigma">0 except for Noisy.</param>
public sealed record Scene(
    Shape Shape,
    ObjectColour Colour,
    ObjectSize Size,
    Style Style,
    IReadOnlyList<Placement> Objects,
    Texture Texture,
    Tone Tone,
    float TexturePeriod,
    float TextureAngleDegrees,
    float TexturePhase,
    ulong NoiseSeed,
    float Opacity,
    float NoiseSigma)
{
    public int Count => Objects.Count;

    /// <summary>The slot of the first (for Count 1: the only) copy.</summary>
    public Position Position => Objects[0].Slot;
}
