using System.Security.Cryptography;
using System.Text;

namespace Dspt.Training;

/// <summary>
/// Independent random streams derived from a seed and a name, e.g. ("shuffle", epoch) or
/// ("view", image hash, view). Every stream is a fresh <see cref="Random"/> seeded from a hash,
/// so a stream never depends on how many numbers another stream drew, on the order in which
/// images are processed or on whether a run was resumed: no generator state needs checkpointing.
/// <see cref="Random(int)"/> with an explicit seed uses .NET's fixed legacy algorithm, so the
/// streams are the same on every platform and .NET version.
/// </summary>
public static class SeededRandom
{
    public static Random Create(long seed, string stream, params object[] parts)
    {
        var text = new StringBuilder().Append("dspt/").Append(seed).Append('/').Append(stream);
        foreach (var part in parts) text.Append('/').Append(Convert.ToString(part, System.Globalization.CultureInfo.InvariantCulture));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return new Random(BitConverter.ToInt32(hash, 0) & int.MaxValue);
    }

    /// <summary>Fisher-Yates shuffle of 0..n-1.</summary>
    public static int[] Permutation(int n, Random random)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
