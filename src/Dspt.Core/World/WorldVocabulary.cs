using System.Collections.ObjectModel;

namespace Dspt.World;

/// <summary>
/// Every word and punctuation piece that captions (CaptionWriter) and the tasks' prompts
/// (WorldTask templates with their class names) can contain, lower-case, sorted ordinally.
/// The world's tokenizer vocabulary is built from this list.
/// </summary>
public static class WorldVocabulary
{
    /// <summary>The words of the caption frames and prompt templates themselves.</summary>
    static readonly string[] FrameWords =
    [
        "a", "an", "two", "three", "photo", "image", "picture", "of", "there", "is", "are",
        "in", "the", "on", "background", "plain", "shape", "shapes", "outlined", "faint", "noisy", ".",
    ];

    public static IReadOnlyList<string> Words { get; } = new ReadOnlyCollection<string>(
        FrameWords
            .Concat(Enum.GetValues<Shape>().SelectMany(s => new[] { WorldNames.Name(s), WorldNames.Plural(s) }))
            .Concat(Enum.GetValues<ObjectColour>().Select(WorldNames.Name))
            .Concat(Enum.GetValues<ObjectSize>().Select(WorldNames.Name))
            .Concat(Enum.GetValues<Position>().SelectMany(p => WorldNames.Name(p).Split(' ')))
            .Concat(Enum.GetValues<Texture>().Select(WorldNames.Name))
            .Concat(Enum.GetValues<Tone>().Select(WorldNames.Name))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray());

    /// <summary>Splits a caption or prompt into the pieces Words lists: runs of letters, and ".".</summary>
    public static IEnumerable<string> Pieces(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == ' ') { i++; continue; }
            if (c is >= 'a' and <= 'z')
            {
                int start = i;
                while (i < text.Length && text[i] is >= 'a' and <= 'z') i++;
                yield return text[start..i];
                continue;
            }
            yield return c.ToString();
            i++;
        }
    }
}
