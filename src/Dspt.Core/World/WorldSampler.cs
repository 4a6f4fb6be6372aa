namespace Dspt.World;

/// <summary>
/// Draws scenes from a WorldSpec. Scene <c>index</c> of a given (spec, seed) is always the same
/// and is made from its own generator (SeedStreams.Item), so any item can be regenerated alone.
/// </summary>
public sealed class WorldSampler
{
    static readonly ulong SceneStream = SeedStreams.StreamId("scene");
    static readonly ulong CaptionStream = SeedStreams.StreamId("caption");

    public const float SmallRadius = 9f;
    public const float BigRadius = 15f;

    public WorldSpec Spec { get; }
    public long Seed { get; }

    public WorldSampler(WorldSpec spec, long seed)
    {
        Spec = spec.Validated();
        Seed = seed;
    }

    public Scene Sample(long index)
    {
        var rng = SeedStreams.Item(Seed, SceneStream, index);
        var spec = Spec;

        int count = 1 + Pick(rng, spec.CountWeights);
        // Colour first, then the shape, so a colour can favour its typical shapes without changing
        // how often each shape or colour occurs overall.
        var colour = spec.Colours[rng.Next(spec.Colours.Count)];
        var typicalShapes = spec.Shapes.Where(s => WorldPalette.Typical(s) == colour).ToArray();
        bool typical = rng.NextDouble() < spec.TypicalColourRate && typicalShapes.Length > 0;
        var shape = typical ? typicalShapes[rng.Next(typicalShapes.Length)] : spec.Shapes[rng.Next(spec.Shapes.Count)];
        var size = count == 1 ? spec.Sizes[rng.Next(spec.Sizes.Count)] : ObjectSize.Small;

        var style = Style.Filled;
        double u = rng.NextDouble();
        if (u < spec.OutlineRate) style = Style.Outline;
        else if (u < spec.OutlineRate + spec.FaintRate) style = Style.Faint;
        else if (u < spec.OutlineRate + spec.FaintRate + spec.NoisyRate) style = Style.Noisy;

        // Copies take distinct corners: a copy in the centre could touch a corner copy (shape
        // tips reach 1.28 radii), corners are 38 px apart.
        Position[] slots = count == 1 ? Enum.GetValues<Position>() : [Position.TopLeft, Position.TopRight, Position.BottomLeft, Position.BottomRight];
        rng.Shuffle(slots);
        var objects = new Placement[count];
        for (int i = 0; i < count; i++)
        {
            float baseRadius = size == ObjectSize.Small ? SmallRadius : BigRadius;
            float radius = baseRadius * (float)(0.92 + 0.16 * rng.NextDouble());
            var (x, y) = SlotCentre(slots[i], radius);
            x += (float)(4 * rng.NextDouble() - 2);
            y += (float)(4 * rng.NextDouble() - 2);
            float rotation = (float)((2 * rng.NextDouble() - 1) * spec.MaxRotationDegrees);
            objects[i] = new Placement(slots[i], x, y, radius, rotation);
        }

        var texture = spec.Textures[rng.Next(spec.Textures.Count)];
        var visibleTones = spec.Tones.Where(t => WorldPalette.Contrasts(colour, t)).ToArray();
        var tones = visibleTones.Length > 0 ? visibleTones : spec.Tones;
        var tone = tones[rng.Next(tones.Count)];
        float period = (float)(5 + 4 * rng.NextDouble());
        float angle = texture switch
        {
            Texture.Striped => 45 * rng.Next(4),
            Texture.Checkered => 45 * rng.Next(2),
            _ => 0,
        };
        float phase = (float)(period * rng.NextDouble());
        ulong noiseSeed = (ulong)rng.NextInt64();

        return new Scene(shape, colour, size, style, objects, texture, tone, period, angle, phase, noiseSeed,
            Opacity: style == Style.Faint ? (float)spec.FaintContrast : 1f,
            NoiseSigma: style == Style.Noisy ? (float)spec.NoiseSigma : 0f);
    }

    /// <summary>The scene and its caption; the caption has its own generator, so caption changes leave images alone.</summary>
    public (Scene Scene, string Caption) SampleCaptioned(long index)
    {
        var scene = Sample(index);
        return (scene, CaptionWriter.Write(scene, SeedStreams.Item(Seed, CaptionStream, index)));
    }

    /// <summary>Corner slots keep the object's bounding circle (and nearly all of its tips) inside the image.</summary>
    static (float X, float Y) SlotCentre(Position slot, float radius)
    {
        const float size = WorldRenderer.Size;
        float near = 2 + 1.2f * radius, far = size - near, mid = size / 2;
        return slot switch
        {
            Position.Centre => (mid, mid),
            Position.TopLeft => (near, near),
            Position.TopRight => (far, near),
            Position.BottomLeft => (near, far),
            Position.BottomRight => (far, far),
            _ => throw new ArgumentOutOfRangeException(nameof(slot)),
        };
    }

    static int Pick(Random rng, IReadOnlyList<double> weights)
    {
        double u = rng.NextDouble() * weights.Sum();
        for (int i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0 && weights[i] > 0) return i;
        }
        // Rounding can leave u a hair above 0 after the last weight: take the last positive one.
        for (int i = weights.Count - 1; ; i--)
            if (weights[i] > 0) return i;
    }
}
