namespace Dspt.World;

/// <summary>
/// Seeds derived by hashing, so that any item of the world (a scene, its caption, a batch's
/// constraints, a pixel's noise) is a pure function of (seed, stream, index): items can be made
/// independently, in any order and in parallel, with no generator state carried between them.
/// SplitMix64's finaliser (Steele et al. 2014) mixes well enough that neighbouring indices give
/// unrelated streams.
/// </summary>
public static class ItemSeed
{
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Of(long seed, ulong stream, long index) => Mix(Mix(Mix((ulong)seed) ^ stream) ^ (ulong)index);

    /// <summary>A System.Random for one item; its (legacy, version-stable) seeded algorithm takes an int.</summary>
    public static Random Random(long seed, ulong stream, long index) => new((int)(Of(seed, stream, index) >> 33));

    /// <summary>A stable 64-bit stream id for a name (FNV-1a; string.GetHashCode differs per process).</summary>
    public static ulong Stream(string name)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in name)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return Mix(h);
    }
}
