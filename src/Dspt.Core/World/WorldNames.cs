namespace Dspt.World;

/// <summary>
/// The English words for the world's attribute values, lower-case, as captions and class names
/// use them. WorldVocabulary collects every word these can produce.
/// </summary>
public static class WorldNames
{
    public static string Name(Shape shape) => shape.ToString().ToLowerInvariant();

    public static string Plural(Shape shape) => shape switch
    {
        Shape.Cross => "crosses",
        Shape.Hourglass => "hourglasses",
        _ => Name(shape) + "s",
    };

    public static string Name(ObjectColour colour) => colour.ToString().ToLowerInvariant();

    public static string Name(ObjectSize size) => size.ToString().ToLowerInvariant();

    public static string Name(Texture texture) => texture.ToString().ToLowerInvariant();

    public static string Name(Tone tone) => tone.ToString().ToLowerInvariant();

    /// <summary>The words after "in the": "centre", "top left", ...</summary>
    public static string Name(Position position) => position switch
    {
        Position.Centre => "centre",
        Position.TopLeft => "top left",
        Position.TopRight => "top right",
        Position.BottomLeft => "bottom left",
        Position.BottomRight => "bottom right",
        _ => throw new ArgumentOutOfRangeException(nameof(position)),
    };

    public static string Number(int count) => count switch
    {
        1 => "one",
        2 => "two",
        3 => "three",
        _ => throw new ArgumentOutOfRangeException(nameof(count), count, "the world has 1 to 3 copies of an object"),
    };

    /// <summary>"a" or "an" by the sound of the next word ("an x", "an hourglass", "an orange star").</summary>
    public static string Article(string nextWord) =>
        nextWord is "x" or "xs" or "hourglass" || "aeiou".Contains(nextWord[0]) ? "an" : "a";
}
