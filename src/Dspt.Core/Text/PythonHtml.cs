using System.Collections.Frozen;
using System.Text;

namespace Dspt.Text;

/// <summary>
/// Python's <c>html.unescape</c> (CPython 3.x Lib/html/__init__.py), which CLIP applies twice.
/// System.Net.WebUtility.HtmlDecode differs: it has no HTML5 legacy names without ';'
/// (<c>&amp;ampersand</c> -> <c>&amp;ersand</c>), no Windows-1252 remapping of <c>&amp;#128;</c>
/// and no U+FFFD for <c>&amp;#0;</c>.
/// </summary>
internal static class PythonHtml
{
    // html.entities.html5: 2231 names, with and without the trailing ';'.
    static readonly FrozenDictionary<string, string> Entities = EmbeddedTable.Rows("html5-entities.txt")
        .ToFrozenDictionary(row => row[0], row => EmbeddedTable.CodePoints(row[1]), StringComparer.Ordinal);

    // html._invalid_charrefs: the HTML5 rule that reads C1 references as Windows-1252, plus NUL and CR.
    static readonly FrozenDictionary<int, string> InvalidCharrefs = new Dictionary<int, string>
    {
        [0x00] = "\uFFFD", [0x0D] = "\r", [0x80] = "\u20AC", [0x81] = "\x81", [0x82] = "\u201A",
        [0x83] = "\u0192", [0x84] = "\u201E", [0x85] = "\u2026", [0x86] = "\u2020", [0x87] = "\u2021",
        [0x88] = "\u02C6", [0x89] = "\u2030", [0x8A] = "\u0160", [0x8B] = "\u2039", [0x8C] = "\u0152",
        [0x8D] = "\x8D", [0x8E] = "\u017D", [0x8F] = "\x8F", [0x90] = "\x90", [0x91] = "\u2018",
        [0x92] = "\u2019", [0x93] = "\u201C", [0x94] = "\u201D", [0x95] = "\u2022", [0x96] = "\u2013",
        [0x97] = "\u2014", [0x98] = "\u02DC", [0x99] = "\u2122", [0x9A] = "\u0161", [0x9B] = "\u203A",
        [0x9C] = "\u0153", [0x9D] = "\x9D", [0x9E] = "\u017E", [0x9F] = "\u0178",
    }.ToFrozenDictionary();

    // html._invalid_codepoints (those not already in InvalidCharrefs): replaced by nothing.
    static bool IsInvalidCodePoint(long n) =>
        n is >= 0x1 and <= 0x8 or 0xB or >= 0xE and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF
        || (n & 0xFFFE) == 0xFFFE;

    // Python's pattern: &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
    const int MaxNameCodePoints = 32;

    public static string Unescape(string s)
    {
        if (!s.Contains('&')) return s;
        var sb = new StringBuilder(s.Length);
        int i = 0;
        while (i < s.Length)
        {
            int amp = s.IndexOf('&', i);
            if (amp < 0) { sb.Append(s, i, s.Length - i); break; }
            sb.Append(s, i, amp - i);
            int end = MatchReference(s, amp + 1);
            if (end < 0) { sb.Append('&'); i = amp + 1; continue; }
            sb.Append(Replace(s.Substring(amp + 1, end - amp - 1)));
            i = end;
        }
        return sb.ToString();
    }

    /// <summary>End (exclusive) of the reference that starts after an '&amp;' at <paramref name="p"/>, or -1.</summary>
    static int MatchReference(string s, int p)
    {
        if (p >= s.Length) return -1;
        if (s[p] == '#')
        {
            int q = p + 1;
            while (q < s.Length && char.IsAsciiDigit(s[q])) q++;
            if (q == p + 1)
            {
                if (q >= s.Length || (s[q] != 'x' && s[q] != 'X')) return -1;
                q++;
                int digits = q;
                while (q < s.Length && char.IsAsciiHexDigit(s[q])) q++;
                if (q == digits) return -1;
            }
            return q < s.Length && s[q] == ';' ? q + 1 : q;
        }
        int e = p, count = 0;
        while (e < s.Length && count < MaxNameCodePoints && s[e] is not ('\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';'))
        {
            e += char.IsSurrogatePair(s, e) ? 2 : 1;
            count++;
        }
        if (count == 0) return -1;
        return e < s.Length && s[e] == ';' ? e + 1 : e;
    }

    static string Replace(string reference)
    {
        if (reference[0] == '#')
        {
            bool hex = reference[1] is 'x' or 'X';
            long n = ParseCapped(reference.AsSpan(hex ? 2 : 1).TrimEnd(';'), hex ? 16 : 10);
            if (n <= int.MaxValue && InvalidCharrefs.TryGetValue((int)n, out var mapped)) return mapped;
            if (n is >= 0xD800 and <= 0xDFFF or > 0x10FFFF) return "\uFFFD";
            if (IsInvalidCodePoint(n)) return "";
            return char.ConvertFromUtf32((int)n);
        }
        if (Entities.TryGetValue(reference, out var value)) return value;
        // The longest legacy name (no ';') that prefixes the reference, as the HTML5 standard says.
        for (int x = reference.Length - 1; x > 1; x--)
            if (Entities.TryGetValue(reference[..x], out value))
                return value + reference[x..];
        return "&" + reference;
    }

    /// <summary>The number, or 0x110000 once it is past Unicode (Python then gives U+FFFD too).</summary>
    static long ParseCapped(ReadOnlySpan<char> digits, int radix)
    {
        long n = 0;
        foreach (char c in digits)
        {
            n = n * radix + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            if (n > 0x10FFFF) return 0x110000;
        }
        return n;
    }
}
