using Dspt.Text;
using static Dspt.Tests.Text.TokenizerFixture;

namespace Dspt.Tests.Text;

/// <summary>
/// The Python behaviours the tokenizer reproduces, beyond the fixture strings. Expected values
/// were produced by CPython 3.11.7 (html.unescape, str.lower, str.strip), regex 2026.5.9, and
/// simple_tokenizer.py from openai/CLIP d05afc43 run verbatim with ftfy as the identity.
/// </summary>
public class PythonTextTests
{
    [Theory]
    [InlineData("&ampersand", "&ersand")]          // longest legacy name without ';'
    [InlineData("&notit;", "¬it;")]
    [InlineData("&AMP", "&")]
    [InlineData("&lt&gt", "<>")]
    [InlineData("&copy&copy;", "©©")]
    [InlineData("&Aacute", "Á")]
    [InlineData("&nbsp", "\u00a0")]
    [InlineData("&acE;", "\u223e\u0333")]          // a two-code-point entity
    [InlineData("&amp;amp;", "&amp;")]             // one pass only
    [InlineData("&#128;", "€")]                    // Windows-1252 reading of C1 references
    [InlineData("&#x9F;", "Ÿ")]
    [InlineData("&#x81;", "\u0081")]
    [InlineData("&#0;", "\ufffd")]
    [InlineData("&#13;", "\r")]
    [InlineData("&#1;", "")]                       // invalid code points vanish
    [InlineData("&#xFDD0;", "")]
    [InlineData("&#x10FFFF;", "")]
    [InlineData("&#xD800;", "\ufffd")]
    [InlineData("&#x110000;", "\ufffd")]
    [InlineData("&#99999999999999999999;", "\ufffd")]
    [InlineData("&#65", "A")]
    [InlineData("&#X41;", "A")]
    [InlineData("&#x0041;", "A")]
    [InlineData("&#x1F600;", "😀")]
    [InlineData("&#x;", "&#x;")]
    [InlineData("&#;", "&#;")]
    [InlineData("&\rx;", "&\rx;")]
    [InlineData("AT&T", "AT&T")]
    [InlineData("&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;")]
    [InlineData("&ampxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;", "&xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;")]
    public void HtmlUnescapeIsPythons(string input, string expected) => Assert.Equal(expected, PythonHtml.Unescape(input));

    [Fact]
    public void WebUtilityHtmlDecodeWouldBeWrong()
    {
        // Why PythonHtml exists: .NET's decoder disagrees on these.
        Assert.NotEqual(PythonHtml.Unescape("&ampersand"), System.Net.WebUtility.HtmlDecode("&ampersand"));
        Assert.NotEqual(PythonHtml.Unescape("&#128;"), System.Net.WebUtility.HtmlDecode("&#128;"));
    }

    [Theory]
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("ΟΔΟΣ", "οδος")]
    [InlineData("Σ", "σ")]
    [InlineData("ΑΣ.", "ας.")]                     // '.' is Case_Ignorable, nothing cased follows
    [InlineData("ΑΣ.Β", "ασ.β")]
    [InlineData("ΑΣ\u0301", "ας\u0301")]
    [InlineData("ΑΣ\u0301Β", "ασ\u0301β")]
    [InlineData("ΣΑΣ ΑΣ\u00adΑ", "σας ασ\u00adα")]
    [InlineData("ʰΣ", "ʰσ")]                        // ʰ is cased but also ignorable
    [InlineData("ΑΣʰ", "αςʰ")]
    [InlineData("ẞ", "ß")]
    [InlineData("Ⅻ", "ⅻ")]
    [InlineData("Ⓐ", "ⓐ")]
    [InlineData("𐐀", "𐐨")]                        // outside the BMP
    [InlineData("ǅ", "ǆ")]
    [InlineData("\u212a", "k")]
    [InlineData("\u2126", "ω")]
    [InlineData("HELLO World", "hello world")]
    public void LowerIsPythons(string input, string expected) => Assert.Equal(expected, PythonCasing.ToLower(input));

    [Fact]
    public void StripRemovesPythonSpaceButCollapseDoesNot()
    {
        Assert.Equal("file\u001dsep", ClipTextCleaner.PythonStrip("\u001cfile\u001dsep\u001e"));
        Assert.Equal("file\u001dsep", ClipTextCleaner.Clean("\u001cfile\u001dsep\u001e"));
        Assert.Equal("a b c d", ClipTextCleaner.Clean(" a\t\u000bb\u0085\u00a0c\u2028\u3000d "));
        Assert.Equal("zero\u200bwidth", ClipTextCleaner.Clean("zero\u200bwidth")); // U+200B is not White_Space
    }

    [Theory]
    [InlineData("it'ſ <|ſtartoftext|>", new[] { "it", "'ſ", "<|ſtartoftext|>" })] // IGNORECASE: 'ſ' matches 's'
    [InlineData("a\u0345b", new[] { "a", "b" })]                                  // U+0345 matches no class
    [InlineData("x!\u0345?", new[] { "x", "!", "?" })]
    [InlineData("𝐀𝐁c 𝟎𝟏 😀x", new[] { "𝐀𝐁c", "𝟎", "𝟏", "😀", "x" })]            // letters and digits beyond the BMP
    [InlineData("x!'s", new[] { "x", "!'", "s" })]                                // punctuation runs swallow the apostrophe
    [InlineData("it''s", new[] { "it", "''", "s" })]
    [InlineData("<|startoftext|>!<|endoftext|>", new[] { "<|startoftext|>", "!<|", "endoftext", "|>" })]
    [InlineData("a\u00adb", new[] { "a", "\u00ad", "b" })]
    public void SplitIsTheRegexModulesFindall(string cleaned, string[] expected) =>
        Assert.Equal(expected, ClipPreTokenizer.Split(cleaned));

    [Theory]
    [InlineData("it'ſ <|ſtartoftext|>", new[] { 49406, 585, 6, 129, 379, 27, 91, 129, 123, 2002, 6659, 18169, 91, 285, 49407 }, "it 'ſ <|ſtartoftext|> ")]
    [InlineData("a\u0345b", new[] { 49406, 320, 321, 49407 }, "a b ")]
    [InlineData("𝐀𝐁c 𝟎𝟏 😀x", new[] { 49406, 15889, 222, 15889, 223, 322, 6874, 253, 492, 6874, 253, 493, 7334, 343, 49407 }, "𝐀𝐁c 𝟎 𝟏 😀 x ")]
    [InlineData("<|startoftext|>!<|endoftext|>", new[] { 49406, 49406, 0, 27, 347, 40786, 4160, 91, 285, 49407 }, "<|startoftext|>!<| endoftext |> ")]
    [InlineData("ǅemal Ⅻ", new[] { 49406, 131, 228, 908, 566, 158, 227, 375, 49407 }, "ǆemal ⅻ ")]
    [InlineData("tab\there\u000bvt\fff\u0085nel", new[] { 49406, 14724, 763, 10291, 1304, 2693, 49407 }, "tab here vt ff nel ")]
    [InlineData("\u00a0\u2003 mixed\u3000", new[] { 49406, 6780, 49407 }, "mixed ")]
    [InlineData("&ampersand &notit; &#128;&#x80;&#150; &#0; &#1;x &#13;y &#xD800; &#x110000;",
        new[] { 49406, 261, 4840, 537, 126, 361, 585, 282, 34919, 34919, 1224, 39802, 343, 344, 39802, 39802, 49407 },
        "& ersand ¬ it ; €€– \ufffd x y \ufffd \ufffd ")]
    [InlineData("&amp;#128;", new[] { 49406, 6309, 49407 }, "€ ")]
    public void EncodesLikeSimpleTokenizerBeyondTheFixtures(string text, int[] ids, string decoded)
    {
        Assert.Equal(ids, Real.EncodeWithSpecials(text));
        Assert.Equal(decoded, Real.Decode(ids[1..^1]));
    }

    [Theory]
    [InlineData("e282", "\ufffd")]                 // truncated sequence: one replacement
    [InlineData("e282ac", "€")]
    [InlineData("f0808080", "\ufffd\ufffd\ufffd\ufffd")]
    [InlineData("eda080", "\ufffd\ufffd\ufffd")]  // an encoded surrogate
    [InlineData("c0af", "\ufffd\ufffd")]          // overlong
    [InlineData("ff41", "\ufffdA")]
    [InlineData("f09f9880", "😀")]
    public void DecodeReplacesBadUtf8LikePython(string hex, string expected)
    {
        // Byte b is the token whose string is bytes_to_unicode[b].
        var ids = Convert.FromHexString(hex).Select(b => ByteUnicode.Chars.IndexOf(ByteUnicode.CharOf(b)));
        Assert.Equal(expected, Real.Decode(ids));
    }

    [Fact]
    public void ByteUnicodeIsABijectionOntoPrintableCharacters()
    {
        var chars = Enumerable.Range(0, 256).Select(b => ByteUnicode.CharOf((byte)b)).ToList();
        Assert.Equal(256, chars.Distinct().Count());
        Assert.All(chars, c => Assert.False(char.IsWhiteSpace(c) || char.IsControl(c), $"U+{(int)c:X4}"));
        Assert.All(Enumerable.Range(0, 256), b => Assert.Equal(b, ByteUnicode.ByteOf(ByteUnicode.CharOf((byte)b))));
        Assert.Equal('!', ByteUnicode.Chars[0]);
        Assert.Equal('Ā', ByteUnicode.CharOf(0));    // unprintable bytes take U+0100.. in byte order
        Assert.Equal('Ġ', ByteUnicode.CharOf(32));
        Assert.Equal(-1, ByteUnicode.ByteOf((char)(0x100 + 68)));
    }

    [Fact]
    public void UnpairedSurrogateIsRejected()
    {
        var e = Assert.Throws<InvalidInputException>(() => Real.Encode("dog\ud83d"));
        Assert.Contains("unpaired UTF-16 surrogate", e.Message);
        Assert.Contains("index 3", e.Message);
    }

    [Fact]
    public void DecodeRejectsUnknownIds()
    {
        var e = Assert.Throws<InvalidInputException>(() => Real.Decode([320, 49408]));
        Assert.Contains("49408", e.Message);
        Assert.Throws<InvalidInputException>(() => Real.Decode([-1]));
    }
}
