namespace Dspt.Data;

/// <summary>
/// A training item after label noise. <see cref="Label"/> is what training sees (possibly wrong);
/// <see cref="CleanLabel"/> is the image's real class, kept for analysis only: a trainer must
/// never read it.
/// </summary>
public sealed record NoisyItem(string Path, int Label, int CleanLabel)
{
    public bool IsCorrupted => Label != CleanLabel;
}
