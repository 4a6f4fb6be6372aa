using Dspt.World;

namespace Dspt.Tests.World;

public class CaptionWriterTests
{
    static readonly (Scene Scene, string Caption)[] Items = Sample(20000);

    static (Scene Scene, string Caption)[] Sample(int n)
    {
        // Shifted styles raised so "outlined", "faint" and "noisy" captions occur often enough to check.
        var sampler = new WorldSampler(WorldSpec.Pretraining with { OutlineRate = 0.2, FaintRate = 0.2, NoisyRate = 0.2 }, 21);
        return Enumerable.Range(0, n).Select(i => sampler.SampleCaptioned(i)).ToArray();
    }

    static string[] Words(string caption) => WorldVocabulary.Pieces(caption).ToArray();

    [Fact]
    [Trait("Category", "Slow")]
    public void TheShapeIsAlwaysNamedWithItsNumber()
    {
        var shapes = Enum.GetValues<Shape>();
        foreach (var (scene, caption) in Items)
        {
            var words = Words(caption);
            if (scene.Count == 1)
            {
                Assert.Contains(WorldNames.Name(scene.Shape), words);
                Assert.DoesNotContain(words, w => w is "two" or "three" or "shapes");
            }
            else
            {
                // "two stars" or "two star shapes"
                Assert.True(words.Contains(WorldNames.Plural(scene.Shape))
                    || caption.Contains(WorldNames.Name(scene.Shape) + " shapes"), caption);
                Assert.Contains(WorldNames.Number(scene.Count), words);
            }
            // No other shape is mentioned.
            foreach (var other in shapes.Where(s => s != scene.Shape))
                Assert.DoesNotContain(words, w => w == WorldNames.Name(other) || w == WorldNames.Plural(other));
        }
    }

    /// <summary>Attributes are mentioned only sometimes, and a mentioned attribute is always the scene's.</summary>
    [Fact]
    public void EveryMentionedAttributeIsTrue()
    {
        foreach (var (scene, caption) in Items)
        {
            var words = Words(caption);
            foreach (var c in Enum.GetValues<ObjectColour>().Where(c => c != scene.Colour))
                Assert.DoesNotContain(WorldNames.Name(c), words);
            foreach (var s in Enum.GetValues<ObjectSize>().Where(s => s != scene.Size))
                Assert.DoesNotContain(WorldNames.Name(s), words);
            foreach (var t in Enum.GetValues<Texture>().Where(t => t != scene.Texture && t != Texture.Plain))
                Assert.DoesNotContain(WorldNames.Name(t), words);
            foreach (var t in Enum.GetValues<Tone>().Where(t => t != scene.Tone))
                Assert.DoesNotContain(WorldNames.Name(t), words);
            if (words.Contains("plain")) Assert.Equal(Texture.Plain, scene.Texture);
            if (words.Contains("outlined")) Assert.Equal(Style.Outline, scene.Style);
            if (words.Contains("faint")) Assert.Equal(Style.Faint, scene.Style);
            if (words.Contains("noisy")) Assert.Equal(Style.Noisy, scene.Style);
            if (caption.Contains(" in the "))
            {
                Assert.Equal(1, scene.Count);
                Assert.Contains(" in the " + WorldNames.Name(scene.Position), caption);
            }
        }
    }

    /// <summary>Mention rates match CaptionWriter's constants within 4.5 binomial standard errors.</summary>
    [Fact]
    public void AttributesAreMentionedAtTheirRates()
    {
        void Rate(Func<(Scene Scene, string Caption), bool> eligible, Func<(Scene Scene, string Caption), bool> mentioned, double p)
        {
            var pool = Items.Where(eligible).ToArray();
            double observed = pool.Count(mentioned) / (double)pool.Length;
            double se = Math.Sqrt(p * (1 - p) / pool.Length);
            Assert.InRange(observed, p - 4.5 * se, p + 4.5 * se);
        }
        Rate(_ => true, it => Words(it.Caption).Contains(WorldNames.Name(it.Scene.Colour)), CaptionWriter.ColourRate);
        Rate(_ => true, it => Words(it.Caption).Contains(WorldNames.Name(it.Scene.Size)), CaptionWriter.SizeRate);
        Rate(_ => true, it => it.Caption.Contains("background"), CaptionWriter.BackgroundRate);
        Rate(it => it.Scene.Count == 1, it => it.Caption.Contains(" in the "), CaptionWriter.PositionRate);
        Rate(it => it.Scene.Style == Style.Outline, it => it.Caption.Contains("outlined"), CaptionWriter.StyleRate);
    }

    [Fact]
    public void CaptionsAreVariedAndGrammatical()
    {
        var openings = Items.Select(it => string.Join(' ', Words(it.Caption).Take(2))).ToHashSet();
        foreach (var expected in new[] { "a photo", "an image", "a picture", "there is", "there are", "a noisy" })
            Assert.Contains(expected, openings);
        Assert.True(Items.Select(it => it.Caption).Distinct().Count() > 5000);
        foreach (var (_, caption) in Items)
        {
            Assert.Equal(caption.Trim(), caption);
            Assert.DoesNotContain("  ", caption);
            Assert.DoesNotContain(" .", caption);
            var words = Words(caption);
            for (int i = 0; i + 1 < words.Length; i++)
                if (words[i] is "a" or "an")
                    Assert.True(WorldNames.Article(words[i + 1]) == words[i], caption);
            if (caption.StartsWith("there is ")) Assert.DoesNotContain(words, w => w is "two" or "three");
            if (caption.StartsWith("there are ")) Assert.Contains(words, w => w is "two" or "three");
        }
    }

    [Fact]
    public void PluralsAreEnglish()
    {
        Assert.Equal("crosses", WorldNames.Plural(Shape.Cross));
        Assert.Equal("hourglasses", WorldNames.Plural(Shape.Hourglass));
        Assert.Equal("ellipses", WorldNames.Plural(Shape.Ellipse));
        Assert.Equal("xs", WorldNames.Plural(Shape.X));
        Assert.Equal("stars", WorldNames.Plural(Shape.Star));
        Assert.Equal(20, Enum.GetValues<Shape>().Select(WorldNames.Plural).Distinct().Count());
    }

    [Fact]
    public void ArticlesFollowTheSound()
    {
        Assert.Equal("an", WorldNames.Article("x"));
        Assert.Equal("an", WorldNames.Article("hourglass"));
        Assert.Equal("an", WorldNames.Article("orange"));
        Assert.Equal("an", WorldNames.Article("ellipse"));
        Assert.Equal("a", WorldNames.Article("heart"));
        Assert.Equal("a", WorldNames.Article("big"));
    }

    /// <summary>The vocabulary covers every caption and prompt, and every word in it is used by one of them.</summary>
    [Fact]
    public void VocabularyIsExactlyTheWordsUsed()
    {
        var vocabulary = WorldVocabulary.Words.ToHashSet();
        Assert.Equal(WorldVocabulary.Words.Count, vocabulary.Count);
        Assert.All(WorldVocabulary.Words, w => Assert.Equal(w.ToLowerInvariant(), w));
        var prompts = WorldTask.Names.Select(n => WorldTask.ByName(n, sizes: new(1, 1, 1)))
            .SelectMany(t => Enumerable.Range(0, t.ClassNames.Count).Select(t.Prompt));
        var used = Items.Select(it => it.Caption).Concat(prompts).SelectMany(Words).ToHashSet();
        Assert.Empty(used.Except(vocabulary));
        Assert.Empty(vocabulary.Except(used));
    }

    [Fact]
    public void CaptionsDependOnlyOnSeedAndIndex()
    {
        var again = Sample(300);
        Assert.Equal(Items.Take(300).Select(it => it.Caption), again.Select(it => it.Caption));
    }
}
