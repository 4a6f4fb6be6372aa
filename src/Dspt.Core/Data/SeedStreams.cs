using System.Text;

namespace Dspt.Data;

/// <summary>
/// Independent random streams from one user seed, so that drawing the val shots cannot change
/// the train shots and the noise cannot change either: stream seed = SplitMix64(seed XOR
/// FNV-1a-64(name)) truncated to 31 bits, fed to System.Random(int) (whose seeded algorithm is
/// fixed across .NET versions for compatibility).
/// </summary>
public static class SeedStreams
{
    public static int Derive(int seed, string stream)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(stream)) h = (h ^ b) * 1099511628211UL;
        ulong z = (uint)seed ^ h;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
