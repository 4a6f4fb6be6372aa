using System.Globalization;
using System.Text;

namespace Dspt.Evaluation;

/// <summary>
/// One classifier under CoCoOp's base-to-new protocol: top-1 on the base classes' test split
/// (the classes it was trained on), on the new classes' (never seen in training), and their
/// harmonic mean 2BN / (B + N), the protocol's headline number.
/// </summary>
public sealed record BaseToNewResult(string Name, double Base, double New)
{
    public double HarmonicMean => BaseToNew.HarmonicMean(Base, New);
}

public static class BaseToNew
{
    /// <summary>2BN / (B + N); 0 when both are 0.</summary>
    public static double HarmonicMean(double baseAccuracy, double newAccuracy) =>
        baseAccuracy + newAccuracy == 0 ? 0 : 2 * baseAccuracy * newAccuracy / (baseAccuracy + newAccuracy);

    public static string ToMarkdown(IReadOnlyList<BaseToNewResult> results, string? note = null)
    {
        var md = new StringBuilder("# Base-to-new evaluation (top-1 %, test split)\n\n");
        if (note is not null) md.Append(note).Append("\n\n");
        md.Append("| classifier | base | new | HM |\n|---|---|---|---|\n");
        foreach (var r in results)
            md.Append(CultureInfo.InvariantCulture, $"| {r.Name.Replace("|", "\\|")} | {r.Base:F2} | {r.New:F2} | {r.HarmonicMean:F2} |\n");
        return md.ToString();
    }
}
