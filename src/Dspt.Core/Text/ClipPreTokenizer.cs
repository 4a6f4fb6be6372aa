using System.Globalization;
using System.Text;

namespace Dspt.Text;

/// <summary>
/// simple_tokenizer's split pattern, run by the <c>regex</c> module with IGNORECASE:
/// <code>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</code>
/// It is scanned by hand, code point by code point, because .NET's Regex sees a character outside
/// the BMP as two surrogates and would not count 𝐀 as a letter or 𝟎 as a digit.
/// Two IGNORECASE effects survive lower-casing: 'ſ' (U+017F) matches 's', and U+0345 (combining
/// ypogegrammeni, which case-folds to ι) matches none of the classes, so it is dropped like a space
/// (checked against regex 2026.5.9).
/// </summary>
internal static class ClipPreTokenizer
{
    public const string StartOfText = "<|startoftext|>", EndOfText = "<|endoftext|>";

    static readonly string[] Literals = [StartOfText, EndOfText, "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    const int YpogegrammeniCombining = 0x345;

    /// <summary>The pieces <c>re.findall(pat, text)</c> returns, for cleaned (lower-cased) text.</summary>
    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            int end = MatchAt(text, i);
            if (end > i)
            {
                pieces.Add(text[i..end]);
                i = end;
            }
            else i += RuneLength(text, i);
        }
        return pieces;
    }

    /// <summary>End of the first alternative that matches at <paramref name="i"/>, or <paramref name="i"/> for none.</summary>
    static int MatchAt(string text, int i)
    {
        foreach (var literal in Literals)
            if (MatchesIgnoreCase(text, i, literal)) return i + literal.Length;

        var kind = KindAt(text, i);
        if (kind == Kind.Number) return i + RuneLength(text, i);
        if (kind is Kind.Skipped) return i;
        int end = i;
        while (end < text.Length && KindAt(text, end) == kind)
            end += RuneLength(text, end);
        return end;
    }

    enum Kind { Letter, Number, Other, Skipped }

    static Kind KindAt(string text, int i)
    {
        Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out _);
        if (ClipTextCleaner.IsRegexSpace(rune.Value) || rune.Value == YpogegrammeniCombining) return Kind.Skipped;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
            _ => Kind.Other,
        };
    }

    static int RuneLength(string text, int i) => char.IsSurrogatePair(text, i) ? 2 : 1;

    // The literals are ASCII; under the regex module's simple case folding a literal 's' also
    // matches 'ſ', the other letters only their ASCII upper case.
    static bool MatchesIgnoreCase(string text, int i, string literal)
    {
        if (text.Length - i < literal.Length) return false;
        for (int k = 0; k < literal.Length; k++)
        {
            char c = text[i + k], p = literal[k];
            if (c == p || (char.IsAsciiLetterLower(p) && c == (char)(p - 32)) || (p == 's' && c == 'ſ')) continue;
            return false;
        }
        return true;
    }
}
