using System.Globalization;

namespace Dspt.Data;

/// <summary>
/// Which label noise to inject. NLPrompt protocol: <c>sym:R</c>, <c>asym:R</c> (R in [0, 1), the
/// fraction of training items corrupted, exactly floor(R N)). PTNL/JoAPR protocol:
/// <c>symflip:M</c>, <c>pairflip:M</c> (M wrong images in every class). <c>none</c>.
/// </summary>
public sealed record NoiseSpec(string Type, double Rate, int PerClass)
{
    public const string None = "none";
    public const string Sym = "sym";
    public const string Asym = "asym";
    public const string SymFlip = "symflip";
    public const string PairFlip = "pairflip";

    public static NoiseSpec Clean { get; } = new(None, 0, 0);

    /// <summary>PTNL/JoAPR protocol: noise is drawn together with the shots.</summary>
    public bool IsFlip => Type is SymFlip or PairFlip;

    /// <summary>"none", "sym:0.5", "asym:25%", "symflip:4", "pairflip:8" (case-insensitive).</summary>
    public static NoiseSpec Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t is "" or None) return Clean;
        int colon = t.IndexOf(':');
        string type = colon < 0 ? t : t[..colon];
        string value = colon < 0 ? "" : t[(colon + 1)..].Trim();
        switch (type)
        {
            case None when value is "" or "0":
                return Clean;
            case Sym or Asym:
            {
                bool percent = value.EndsWith('%');
                if (!double.TryParse(percent ? value[..^1] : value, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate))
                    throw new InvalidInputException($"noise '{text}': expected {type}:RATE with RATE a fraction in [0, 1) such as 0.25 or 25%");
                if (percent) rate /= 100;
                if (double.IsNaN(rate) || rate < 0 || rate >= 1)
                    throw new InvalidInputException($"noise '{text}': the rate must be in [0, 1)");
                return new NoiseSpec(type, rate, 0);
            }
            case SymFlip or PairFlip:
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int m))
                    throw new InvalidInputException($"noise '{text}': expected {type}:M with M the number of wrong images per class (an integer >= 0)");
                return new NoiseSpec(type, 0, m);
            }
            default:
                throw new InvalidInputException($"noise '{text}': unknown type '{type}' (expected none, sym:R, asym:R, symflip:M or pairflip:M)");
        }
    }

    /// <summary>Throws unless the spec can be applied (to <paramref name="numClasses"/> classes
    /// and <paramref name="shots"/> shots when given).</summary>
    public void Validate(int? numClasses = null, int? shots = null)
    {
        switch (Type)
        {
            case None:
                return;
            case Sym or Asym:
                if (double.IsNaN(Rate) || Rate < 0 || Rate >= 1)
                    throw new InvalidInputException($"noise '{this}': the rate must be in [0, 1), got {Rate.ToString(CultureInfo.InvariantCulture)}");
                break;
            case SymFlip or PairFlip:
                if (PerClass < 0)
                    throw new InvalidInputException($"noise '{this}': the number of wrong images per class must be >= 0");
                if (shots is int k && (k < 1 || PerClass >= k))
                    throw new InvalidInputException(
                        $"noise '{this}': {Type} replaces M of the K shots of each class, so it needs 0 <= M < K; got M = {PerClass}, K = {k}");
                break;
            default:
                throw new InvalidInputException($"noise type '{Type}': expected none, sym, asym, symflip or pairflip");
        }
        if (numClasses is int c && c < 2 && (Rate > 0 || PerClass > 0))
            throw new InvalidInputException($"noise '{this}': label noise needs at least 2 classes, the dataset has {c}");
    }

    public override string ToString() => Type switch
    {
        Sym or Asym => $"{Type}:{Rate.ToString("R", CultureInfo.InvariantCulture)}",
        SymFlip or PairFlip => $"{Type}:{PerClass}",
        _ => Type,
    };
}
