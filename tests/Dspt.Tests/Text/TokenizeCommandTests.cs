using static Dspt.Tests.Text.TokenizerFixture;

namespace Dspt.Tests.Text;

public class TokenizeCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    [Trait("Category", "Slow")]
    public void PrintsOneJsonArrayPerText()
    {
        var picked = Cases.Where(c => c.Id is 0 or 392 or 474 or 490 or 493).ToList();
        Assert.Equal(5, picked.Count);
        var (code, output, error) = Run(["tokenize", "--vocab", VocabPath, .. picked.Select(c => c.Text)]);
        Assert.True(code == 0, error);
        Assert.Equal(picked.Select(c => Show(c.Ids)).ToArray(), Lines(output));
        Assert.Equal("[49406,1710,49407]", Lines(output)[0]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TruncateGivesTheUnpaddedTruncatedRow()
    {
        var longCase = Cases.First(c => c.TokenizeRaises && c.Truncated is not null);
        var (code, output, _) = Run("tokenize", "--vocab", VocabPath, "--truncate", longCase.Text, "a dog");
        Assert.Equal(0, code);
        Assert.Equal([Show(longCase.Truncated!), "[49406,320,1929,49407]"], Lines(output));

        (code, output, _) = Run("tokenize", "--vocab", VocabPath, "--truncate", "--context-length", "4", "a photo of a dog");
        Assert.Equal(0, code);
        Assert.Equal(["[49406,320,1125,49407]"], Lines(output));
    }

    [Fact]
    public void OverLongTextIsNamed()
    {
        var longCase = Cases.First(c => c.TokenizeRaises);
        var (code, output, error) = Run("tokenize", "--vocab", VocabPath, "a dog", longCase.Text);
        Assert.Equal(2, code);
        Assert.Contains("is too long for context length 77", error);
        Assert.Contains(longCase.Text[..40], error);
        Assert.DoesNotContain("Exception", error);
        Assert.Equal(["[49406,320,1929,49407]"], Lines(output));
    }

    [Fact]
    public void MissingVocabularyIsAClearError()
    {
        var (code, _, error) = Run("tokenize", "a dog");
        Assert.Equal(2, code);
        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", error);
        Assert.Contains("--vocab", error);

        using var dir = Repo.Temp();
        (code, _, error) = Run("tokenize", "--vocab", dir["none.txt.gz"], "a dog");
        Assert.Equal(2, code);
        Assert.Contains(dir["none.txt.gz"], error);
    }
}
