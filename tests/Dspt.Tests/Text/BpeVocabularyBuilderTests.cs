using System.IO.Compression;
using Dspt.Text;

namespace Dspt.Tests.Text;

public class BpeVocabularyBuilderTests
{
    // A demo-sized caption vocabulary, with traps for a naive merge order: shared prefixes and
    // suffixes (a/an/and, red/reed/read), repeated letters and repeated syllables, where merging
    // one pair everywhere can leave a word stuck in two halves (ababa -> ab ab a).
    static readonly string[] Words =
    [
        "a", "an", "and", "the", "of", "on", "in", "with", "photo", "picture", "image", "small", "large", "big",
        "red", "reed", "read", "green", "blue", "yellow", "black", "white", "orange", "purple", "grey", "gray",
        "dog", "dogs", "cat", "cats", "bird", "fish", "horse", "cow", "sheep", "car", "truck", "bus", "plane",
        "circle", "square", "triangle", "star", "cross", "ring", "dot", "dots", "stripe", "stripes", "left",
        "right", "top", "bottom", "center", "corner", "above", "below", "next", "to", "one", "two", "three",
        "four", "many", "few", "bright", "dark", "light", "noisy", "clean", "sunny", "rainy", "snowy", "banana",
        "ababa", "aaa", "aaaa", "mississippi", "abcabc", "abab", "tree", "trees", "street", "streets", "café",
        "zürich", "Москва", "中文", "it", "is", "this", "that", "there", "here", "shape", "shapes", "colour",
        "color", "pattern", "texture", "background", "object", ".", ",", "!", "?", "'s", "-",
    ];

    [Fact]
    public void EveryWordIsOneTokenAndRoundTrips()
    {
        using var dir = Repo.Temp();
        BpeVocabularyBuilder.Write(dir["demo.txt.gz"], Words);
        var tokenizer = ClipTokenizer.Load(dir["demo.txt.gz"]);
        foreach (var word in Words)
        {
            var ids = tokenizer.Encode(word);
            Assert.True(ids.Count == 1, $"\"{word}\" -> {ids.Count} ids");
            Assert.Equal(word.ToLowerInvariant() + " ", tokenizer.Decode(ids));
        }
        Assert.Equal(Words.Length, Words.Select(w => tokenizer.Encode(w)[0]).Distinct().Count());
    }

    [Fact]
    public void CaptionsUseOneTokenPerWordAndUnknownWordsFallBackToBytes()
    {
        using var dir = Repo.Temp();
        BpeVocabularyBuilder.Write(dir["demo.txt.gz"], Words);
        var tokenizer = ClipTokenizer.Load(dir["demo.txt.gz"]);

        var caption = tokenizer.EncodeWithSpecials("A photo of a small red circle, above the dog's stripes!");
        Assert.Equal(tokenizer.SotId, caption[0]);
        Assert.Equal(tokenizer.EotId, caption[^1]);
        Assert.Equal(16, caption.Length); // SOT, 14 pieces (a photo of a small red circle , above the dog 's stripes !), EOT
        Assert.Equal("a photo of a small red circle , above the dog 's stripes ! ", tokenizer.Decode(caption[1..^1]));

        foreach (var unknown in new[] { "zebra", "xylophone", "ü", "🦓" })
        {
            var ids = tokenizer.Encode(unknown);
            Assert.NotEmpty(ids);
            Assert.Equal(unknown + " ", tokenizer.Decode(ids));
        }
        Assert.True(tokenizer.Encode("zebra").Count > 1);
    }

    [Fact]
    public void DemoWorldVocabularyGivesOneTokenPerWord()
    {
        using var dir = Repo.Temp();
        BpeVocabularyBuilder.Write(dir["world.txt.gz"], Dspt.World.WorldVocabulary.Words);
        var tokenizer = ClipTokenizer.Load(dir["world.txt.gz"]);
        foreach (var word in Dspt.World.WorldVocabulary.Words)
            Assert.True(tokenizer.Encode(word).Count == 1, $"\"{word}\" is not one token");
        // The world's own splitter and the tokenizer agree on a caption-like text.
        const string caption = "a photo of the plain background.";
        Assert.Equal(Dspt.World.WorldVocabulary.Pieces(caption).Count(), tokenizer.Encode(caption).Count);
        Assert.True(tokenizer.VocabSize < 2000, $"{tokenizer.VocabSize} tokens");
    }

    [Fact]
    public void FileHasTheOpenAiLayout()
    {
        using var dir = Repo.Temp();
        BpeVocabularyBuilder.Write(dir["demo.txt.gz"], Words);
        string text;
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(dir["demo.txt.gz"]), CompressionMode.Decompress)))
            text = reader.ReadToEnd();
        var lines = text.Split('\n');
        Assert.Equal("#version: 0.2", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.Equal(2, line.Split(' ').Length));
        Assert.False(text.EndsWith('\n'));

        var tokenizer = ClipTokenizer.Load(dir["demo.txt.gz"]);
        Assert.Equal(512 + lines.Length - 1 + 2, tokenizer.VocabSize);
        Assert.Equal((tokenizer.VocabSize - 2, tokenizer.VocabSize - 1), (tokenizer.SotId, tokenizer.EotId));
    }

    [Fact]
    public void OutputDependsOnlyOnTheSetOfWords()
    {
        using var dir = Repo.Temp();
        BpeVocabularyBuilder.Write(dir["a.txt.gz"], Words);
        var shuffled = Words.Concat(Words.Take(10)).ToArray();
        new Random(7).Shuffle(shuffled);
        BpeVocabularyBuilder.Write(dir["b.txt.gz"], shuffled);
        Assert.Equal(File.ReadAllBytes(dir["a.txt.gz"]), File.ReadAllBytes(dir["b.txt.gz"]));
    }

    [Fact]
    public void WordsAreCleanedAndSplitLikeText()
    {
        using var dir = Repo.Temp();
        BpeVocabularyBuilder.Write(dir["v.txt.gz"], ["Don't", "&amp;", "<|endoftext|>"]);
        var tokenizer = ClipTokenizer.Load(dir["v.txt.gz"]);
        Assert.Single(tokenizer.Encode("don"));
        Assert.Single(tokenizer.Encode("'t"));
        Assert.Equal([tokenizer.EotId], tokenizer.Encode("<|endoftext|>"));
        Assert.Equal(2, tokenizer.Encode("don't").Count);
        Assert.Single(tokenizer.Encode("&"));
    }

    [Fact]
    public void EmptyWordIsAnError()
    {
        using var dir = Repo.Temp();
        var e = Assert.Throws<InvalidInputException>(() => BpeVocabularyBuilder.Write(dir["v.txt.gz"], ["dog", " \t "]));
        Assert.Contains("#1", e.Message);
        Assert.False(File.Exists(dir["v.txt.gz"]));
    }
}
