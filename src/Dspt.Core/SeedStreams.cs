using System.Security.Cryptography;
using System.Text;

namespace Dspt;

/// <summary>
/// Independent random streams from one user seed: a stream is a pure function of the seed and
/// its name (and parts such as an epoch or an item index), so one stream never depends on how
/// many numbers another drew, on processing order or on whether a run was resumed, and no
/// generator state needs checkpointing. Every stream is a fresh <see cref="Random(int)"/>, whose
/// seeded (legacy) algorithm .NET keeps fixed across versions and platforms.
/// Three derivations exist, each kept bit for bit because stored things depend on it
/// (<c>SeedStreamsPinTests</c> pins them):
/// <list type="bullet">
/// <item><see cref="Draw"/>: the few-shot draw and the label noise (stored splits):
/// SplitMix64(seed XOR FNV-1a-64(UTF-8 name)), 31 bits.</item>
/// <item><see cref="Named"/>: training streams (shuffling, views, augmentation):
/// SHA-256 of "dspt/seed/name/part...", 31 bits.</item>
/// <item><see cref="Item"/>: the procedural world and its pretraining (the bundled model):
/// SplitMix64 chained over (seed, stream id, index), the high 31 bits.</item>
/// </list>
/// </summary>
public static class SeedStreams
{
    /// <summary>The int seed of the data-draw stream <paramref name="stream"/> ("train", "val", "noise").</summary>
    public static int DrawSeed(int seed, string stream)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(stream)) h = (h ^ b) * 1099511628211UL;
        return (int)(Mix((uint)seed ^ h) & 0x7FFFFFFF);
    }

    public static Random Draw(int seed, string stream) => new(DrawSeed(seed, stream));

    /// <summary>A training stream such as ("shuffle", epoch) or ("augment", image hash, view).</summary>
    public static Random Named(long seed, string stream, params object[] parts)
    {
        var text = new StringBuilder().Append("dspt/").Append(seed).Append('/').Append(stream);
        foreach (var part in parts) text.Append('/').Append(Convert.ToString(part, System.Globalization.CultureInfo.InvariantCulture));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return new Random(BitConverter.ToInt32(hash, 0) & int.MaxValue);
    }

    /// <summary>SplitMix64's finaliser (Steele et al. 2014): neighbouring inputs give unrelated outputs.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>The 64-bit key of one world item: a scene, a caption, a batch's constraints.</summary>
    public static ulong ItemKey(long seed, ulong stream, long index) => Mix(Mix(Mix((ulong)seed) ^ stream) ^ (ulong)index);

    /// <summary>A Random for one world item; System.Random's seeded algorithm takes an int.</summary>
    public static Random Item(long seed, ulong stream, long index) => new((int)(ItemKey(seed, stream, index) >> 33));

    /// <summary>A stable 64-bit id for a world stream name (FNV-1a over UTF-16 units; string.GetHashCode differs per process).</summary>
    public static ulong StreamId(string name)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in name)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return Mix(h);
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
