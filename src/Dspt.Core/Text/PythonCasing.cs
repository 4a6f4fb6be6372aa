using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;

namespace Dspt.Text;

/// <summary>
/// Python's <c>str.lower()</c>: the full Unicode lower-case mapping (U+0130 'İ' -> "i̇", two code
/// points) and the Final_Sigma rule (Σ -> ς at the end of a word). .NET's ToLowerInvariant uses
/// simple mappings, has no context rule and depends on the globalization mode, so the mapping
/// comes from a table generated from Python (see Data/python-casing.txt).
/// </summary>
internal static class PythonCasing
{
    const int CapitalSigma = 0x3A3, SmallSigma = 0x3C3, FinalSigma = 0x3C2;

    static readonly FrozenDictionary<int, string> Lower;
    static readonly ImmutableArray<(int First, int Last)> Ignorable, Cased;

    static PythonCasing()
    {
        var lower = new Dictionary<int, string>();
        var ignorable = new List<(int, int)>();
        var cased = new List<(int, int)>();
        foreach (var row in EmbeddedTable.Rows("python-casing.txt"))
        {
            switch (row[0])
            {
                case "lower": lower[Convert.ToInt32(row[1], 16)] = EmbeddedTable.CodePoints(row[2]); break;
                case "ignorable": ignorable.Add((Convert.ToInt32(row[1], 16), Convert.ToInt32(row[2], 16))); break;
                case "cased": cased.Add((Convert.ToInt32(row[1], 16), Convert.ToInt32(row[2], 16))); break;
                default: throw new InvalidOperationException($"python-casing.txt: unknown row kind '{row[0]}'");
            }
        }
        Lower = lower.ToFrozenDictionary();
        Ignorable = [.. ignorable];
        Cased = [.. cased];
    }

    public static string ToLower(string s)
    {
        bool ascii = true;
        foreach (char c in s)
            if (c > 0x7F) { ascii = false; break; }
        if (ascii) return s.ToLowerInvariant();

        int[] cps = CodePoints(s);
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < cps.Length; i++)
        {
            int cp = cps[i];
            if (cp == CapitalSigma) sb.Append((char)(IsFinalSigma(cps, i) ? FinalSigma : SmallSigma));
            else if (Lower.TryGetValue(cp, out var mapped)) sb.Append(mapped);
            else sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    // CPython's handle_capital_sigma: a Cased letter before (skipping Case_Ignorable ones) and
    // none after.
    static bool IsFinalSigma(int[] cps, int i)
    {
        int j = i - 1;
        while (j >= 0 && InRanges(Ignorable, cps[j])) j--;
        if (j < 0 || !InRanges(Cased, cps[j])) return false;
        j = i + 1;
        while (j < cps.Length && InRanges(Ignorable, cps[j])) j++;
        return j == cps.Length || !InRanges(Cased, cps[j]);
    }

    static bool InRanges(ImmutableArray<(int First, int Last)> ranges, int cp)
    {
        int lo = 0, hi = ranges.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[mid].First) hi = mid - 1;
            else if (cp > ranges[mid].Last) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /// <summary>Code points of well-formed UTF-16 (callers reject lone surrogates first).</summary>
    static int[] CodePoints(string s)
    {
        var cps = new List<int>(s.Length);
        for (int i = 0; i < s.Length; i += char.IsSurrogatePair(s, i) ? 2 : 1)
            cps.Add(char.ConvertToUtf32(s, i));
        return [.. cps];
    }
}
