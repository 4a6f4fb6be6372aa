using static Dspt.Tests.Text.TokenizerFixture;

namespace Dspt.Tests.Text;

/// <summary>Every case of tokens.json, exactly (ids are integers: no tolerance).</summary>
public class ClipTokenizerFixtureTests
{
    [Fact]
    public void RealVocabularyHasClipsShape()
    {
        Assert.Equal(49406, Real.SotId);
        Assert.Equal(49407, Real.EotId);
        Assert.Equal(49408, Real.VocabSize);
        Assert.Equal(396, Cases.Count);
    }

    [Fact]
    public void IdsMatchSimpleTokenizer() =>
        AssertAll(Cases, c => Real.EncodeWithSpecials(c.Text) is var ids && ids.SequenceEqual(c.Ids)
            ? null : $"got {Show(ids)}, expected {Show(c.Ids)}");

    [Fact]
    public void EncodeIsIdsWithoutSotAndEot() =>
        AssertAll(Cases, c => Real.Encode(c.Text).SequenceEqual(c.Ids[1..^1]) ? null : "Encode differs");

    [Fact]
    public void PiecesMatchEncoderKeys() =>
        AssertAll(Cases, c => c.Ids.Select(id => Real.TokenText(id)!).SequenceEqual(c.Pieces)
            ? null : $"pieces {string.Join(" ", c.Ids.Select(id => Real.TokenText(id)))}");

    [Fact]
    public void DecodedMatchesSimpleTokenizerDecode() =>
        AssertAll(Cases, c => Real.Decode(c.Ids[1..^1]) is var text && text == c.Decoded
            ? null : $"decoded \"{text}\", expected \"{c.Decoded}\"");

    [Fact]
    public void PaddedMatchesClipTokenize()
    {
        Assert.Contains(Cases, c => c.TokenizeRaises);
        AssertAll(Cases.Where(c => !c.TokenizeRaises), c =>
            Real.Tokenize(c.Text) is var row && row.SequenceEqual(c.Padded!.Select(x => (long)x))
                ? null : $"got {Show(row)}");
    }

    [Fact]
    public void OverLongTextsRaiseLikeClipTokenize()
    {
        Assert.Equal(Cases.Count(c => c.Padded is null), Cases.Count(c => c.TokenizeRaises));
        AssertAll(Cases, c =>
        {
            try
            {
                Real.Tokenize(c.Text);
                return c.TokenizeRaises ? "did not raise" : null;
            }
            catch (InvalidInputException e)
            {
                if (!c.TokenizeRaises) return $"raised {e.Message}";
                // The message keeps Python's wording and adds the text's start and the counts.
                string start = c.Text[..Math.Min(40, c.Text.Length)];
                return e.Message.Contains("is too long for context length 77") && e.Message.Contains(start)
                    && e.Message.Contains($"{c.Ids.Length} tokens") ? null : $"message \"{e.Message}\"";
            }
        });
    }

    [Fact]
    public void TruncatedMatchesClipTokenizeWithTruncate()
    {
        var withTruncated = Cases.Where(c => c.Truncated is not null).ToList();
        Assert.Equal(5, withTruncated.Count);
        AssertAll(withTruncated, c =>
            Real.Tokenize(c.Text, truncate: true) is var row && row.SequenceEqual(c.Truncated!.Select(x => (long)x))
                ? null : $"got {Show(row)}");
    }

    [Fact]
    public void TruncateLeavesTextsThatFitAlone() =>
        AssertAll(Cases.Where(c => !c.TokenizeRaises), c =>
            Real.Tokenize(c.Text, truncate: true).SequenceEqual(c.Padded!.Select(x => (long)x)) ? null : "changed");

    [Theory]
    [InlineData("ftfy_sensitive", 7)]
    [InlineData("casing_sensitive", 2)]
    [InlineData("python_whitespace_quirk", 1)]
    [InlineData("html_unescape_quirk", 2)]
    public void FlaggedQuirkCasesMatch(string flag, int count)
    {
        var flagged = Cases.Where(c => c.Flags.Contains(flag)).ToList();
        Assert.Equal(count, flagged.Count);
        AssertAll(flagged, c => Real.EncodeWithSpecials(c.Text).SequenceEqual(c.Ids) && Real.Decode(c.Ids[1..^1]) == c.Decoded
            ? null : $"got {Show(Real.EncodeWithSpecials(c.Text))}");
    }

    [Fact]
    public void TokenizeBatchIsInt64RowsOfTokenize()
    {
        var texts = Cases.Where(c => !c.TokenizeRaises).Take(12).Select(c => c.Text).Append("a photo of a dog.").ToList();
        using var batch = Real.TokenizeBatch(texts);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, batch.dtype);
        Assert.Equal(new long[] { texts.Count, 77 }, batch.shape);
        var data = batch.data<long>().ToArray();
        for (int n = 0; n < texts.Count; n++)
            Assert.Equal(Real.Tokenize(texts[n]), data[(n * 77)..((n + 1) * 77)]);
    }

    [Fact]
    public void TokenizeBatchTruncatesOrFailsAsAsked()
    {
        var longCase = Cases.First(c => c.TokenizeRaises);
        Assert.Throws<InvalidInputException>(() => Real.TokenizeBatch(["a dog", longCase.Text]).Dispose());
        using var batch = Real.TokenizeBatch(["a dog", longCase.Text], truncate: true);
        Assert.Equal(longCase.Truncated!.Select(x => (long)x), batch[1].data<long>().ToArray());
    }

    [Fact]
    public void ContextLengthOtherThan77()
    {
        // clip.tokenize(text, context_length=5, truncate=True): ids[:5] with the last set to EOT.
        Assert.Equal(new long[] { 49406, 320, 1125, 539, 49407 }, Real.Tokenize("a photo of a dog.", 5, truncate: true));
        Assert.Equal(new long[] { 49406, 320, 49407, 0, 0 }, Real.Tokenize("a", 5));
        var e = Assert.Throws<InvalidInputException>(() => Real.Tokenize("a photo of a dog.", 5));
        Assert.Contains("is too long for context length 5", e.Message);
        Assert.Contains("8 tokens", e.Message);
        Assert.Throws<InvalidInputException>(() => Real.Tokenize("a", 1, truncate: true));
    }
}
