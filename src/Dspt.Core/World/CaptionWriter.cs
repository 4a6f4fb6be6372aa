namespace Dspt.World;

/// <summary>
/// Varied English captions for a scene: one of six frames around a noun phrase that always names
/// the shape (plural with its number for 2-3 copies) and mentions the other attributes only
/// sometimes, as people do, so no single attribute word carries a caption. Lower-case; the only
/// punctuation is a final ".".
/// </summary>
public static class CaptionWriter
{
    public const double ColourRate = 0.6;
    public const double SizeRate = 0.5;
    public const double StyleRate = 0.5;
    public const double PositionRate = 0.3;
    public const double BackgroundRate = 0.3;
    public const double ToneRate = 0.5;

    const int FrameCount = 6;

    /// <summary>The caption for a scene; the same generator state gives the same caption.</summary>
    public static string Write(Scene scene, Random rng)
    {
        // Draw every choice up front, in a fixed order, so the words picked never shift later draws.
        int frame = rng.Next(FrameCount);
        bool colour = rng.NextDouble() < ColourRate;
        bool size = rng.NextDouble() < SizeRate;
        bool style = rng.NextDouble() < StyleRate;
        bool position = rng.NextDouble() < PositionRate && scene.Count == 1;
        bool background = rng.NextDouble() < BackgroundRate;
        bool tone = rng.NextDouble() < ToneRate;

        var phrase = new List<string>();
        if (size) phrase.Add(WorldNames.Name(scene.Size));
        if (style && scene.Style == Style.Outline) phrase.Add("outlined");
        if (style && scene.Style == Style.Faint) phrase.Add("faint");
        if (colour) phrase.Add(WorldNames.Name(scene.Colour));
        if (frame == 4)
        {
            // "two star shapes": the shape name is a noun adjunct and stays singular.
            phrase.Add(WorldNames.Name(scene.Shape));
            phrase.Add(scene.Count == 1 ? "shape" : "shapes");
        }
        else phrase.Add(scene.Count == 1 ? WorldNames.Name(scene.Shape) : WorldNames.Plural(scene.Shape));
        phrase.Insert(0, scene.Count == 1 ? WorldNames.Article(phrase[0]) : WorldNames.Number(scene.Count));
        string nounPhrase = string.Join(' ', phrase);

        var where = new List<string>();
        if (position) where.Add("in the " + WorldNames.Name(scene.Position));
        if (background) where.Add(BackgroundPhrase(scene, tone));
        string suffix = where.Count == 0 ? "" : " " + string.Join(' ', where);

        bool noisy = style && scene.Style == Style.Noisy;
        return (noisy ? 1 : frame) switch
        {
            0 or 4 => nounPhrase + suffix,
            1 => $"a {(noisy ? "noisy " : "")}photo of {nounPhrase}{suffix}.",
            2 => $"there {(scene.Count == 1 ? "is" : "are")} {nounPhrase}{suffix}",
            3 => $"an image of {nounPhrase}{suffix}",
            _ => $"a picture of {nounPhrase}{suffix}.",
        };
    }

    static string BackgroundPhrase(Scene scene, bool withTone)
    {
        var words = new List<string>();
        if (scene.Texture == Texture.Plain)
        {
            words.Add("plain");
            if (withTone) words.Add(WorldNames.Name(scene.Tone));
        }
        else
        {
            if (withTone) words.Add(WorldNames.Name(scene.Tone));
            words.Add(WorldNames.Name(scene.Texture));
        }
        return $"on {WorldNames.Article(words[0])} {string.Join(' ', words)} background";
    }
}
