using System.Text;

namespace Dspt.Text;

/// <summary>
/// simple_tokenizer's text normalisation: <c>whitespace_clean(basic_clean(text)).lower()</c>, with
/// ftfy.fix_text taken as the identity (as in the reference fixtures). Two whitespace sets are in
/// play: str.strip() drops Python's isspace() characters, which include U+001C..U+001F, while the
/// regex module's <c>\s</c> is Unicode White_Space, which does not.
/// </summary>
internal static class ClipTextCleaner
{
    public static string Clean(string text)
    {
        RejectUnpairedSurrogates(text);
        string s = PythonStrip(PythonHtml.Unescape(PythonHtml.Unescape(text)));
        s = PythonStrip(CollapseWhitespace(s));
        return PythonCasing.ToLower(s);
    }

    // Python cannot UTF-8 encode a lone surrogate and fails when it gets to it; fail up front, clearly.
    static void RejectUnpairedSurrogates(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i]))
                throw new InvalidInputException(
                    $"text \"{(text.Length <= 80 ? text : text[..80] + "...")}\" has an unpaired UTF-16 surrogate (U+{(int)text[i]:X4}) at index {i}; it is not valid Unicode text");
        }
    }

    /// <summary>The regex module's <c>\s</c> for str patterns: the Unicode White_Space property.</summary>
    public static bool IsRegexSpace(int cp) =>
        cp is >= 0x9 and <= 0xD or 0x20 or 0x85 or 0xA0 or 0x1680 or >= 0x2000 and <= 0x200A
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    /// <summary>Python's <c>str.isspace()</c>, which str.strip() uses: White_Space plus U+001C..U+001F.</summary>
    public static bool IsPythonSpace(char c) => IsRegexSpace(c) || c is >= '\x1C' and <= '\x1F';

    public static string PythonStrip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsPythonSpace(s[start])) start++;
        while (end > start && IsPythonSpace(s[end - 1])) end--;
        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary><c>regex.sub(r'\s+', ' ', s)</c>. Every White_Space character is in the BMP.</summary>
    static string CollapseWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool inRun = false;
        foreach (char c in s)
        {
            if (IsRegexSpace(c))
            {
                if (!inRun) sb.Append(' ');
                inRun = true;
            }
            else
            {
                sb.Append(c);
                inRun = false;
            }
        }
        return sb.ToString();
    }
}
