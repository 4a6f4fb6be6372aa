using System.Buffers.Binary;
using System.Text;

namespace Dspt.Fuzz;

/// <summary>
/// Seeded mutations of a seed input: bit flips, random bytes, inserts, deletes, duplicated
/// ranges, splices with another seed, boundary integers (binary little-endian and as decimal
/// text, for JSON and text formats) and truncation. Deterministic given the generator.
/// </summary>
public static class Mutator
{
    static readonly long[] Boundaries = [0, -1, 1, 255, 256, 65535, int.MaxValue, (long)int.MaxValue + 1, uint.MaxValue, long.MaxValue, 1L << 62, int.MinValue, long.MinValue, 100_000_000, 1_000_000_000];

    public static byte[] Mutate(Random rng, IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(seeds[rng.Next(seeds.Count)]);
        int count = 1 + rng.Next(rng.Next(2) == 0 ? 2 : 8);
        for (int i = 0; i < count; i++) MutateOnce(rng, data, seeds);
        return [.. data];
    }

    static void MutateOnce(Random rng, List<byte> data, IReadOnlyList<byte[]> seeds)
    {
        int At() => data.Count == 0 ? 0 : rng.Next(data.Count);
        switch (rng.Next(10))
        {
            case 0 when data.Count > 0: // bit flip
                { int at = At(); data[at] ^= (byte)(1 << rng.Next(8)); break; }
            case 1 when data.Count > 0: // random byte
                data[At()] = (byte)rng.Next(256); break;
            case 2: // insert random bytes
                { int at = rng.Next(data.Count + 1); var b = new byte[1 + rng.Next(16)]; rng.NextBytes(b); data.InsertRange(at, b); break; }
            case 3 when data.Count > 0: // delete a range
                { int at = At(); data.RemoveRange(at, Math.Min(data.Count - at, 1 + rng.Next(32))); break; }
            case 4 when data.Count > 0: // duplicate a range
                { int at = At(); int n = Math.Min(data.Count - at, 1 + rng.Next(64)); data.InsertRange(rng.Next(data.Count + 1), data.GetRange(at, n)); break; }
            case 5: // splice with another seed
                {
                    var other = seeds[rng.Next(seeds.Count)];
                    if (other.Length == 0) break;
                    int from = rng.Next(other.Length), n = Math.Min(other.Length - from, 1 + rng.Next(256));
                    int at = rng.Next(data.Count + 1);
                    data.RemoveRange(at, Math.Min(data.Count - at, n));
                    data.InsertRange(at, other.AsSpan(from, n).ToArray());
                    break;
                }
            case 6 when data.Count >= 8: // boundary integer, binary
                {
                    long v = Boundaries[rng.Next(Boundaries.Length)];
                    int width = rng.Next(2) == 0 ? 4 : 8, at = rng.Next(data.Count - width + 1);
                    Span<byte> b = stackalloc byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(b, v);
                    if (rng.Next(4) == 0) BinaryPrimitives.WriteInt64BigEndian(b, width == 4 ? v << 32 : v);
                    for (int k = 0; k < width; k++) data[at + k] = b[k];
                    break;
                }
            case 7: // boundary integer as text, replacing a run of digits
                {
                    string v = Boundaries[rng.Next(Boundaries.Length)].ToString(System.Globalization.CultureInfo.InvariantCulture);
                    int start = FindDigits(rng, data);
                    int end = start;
                    while (end < data.Count && (char.IsAsciiDigit((char)data[end]) || data[end] == '-')) end++;
                    data.RemoveRange(start, end - start);
                    data.InsertRange(start, Encoding.ASCII.GetBytes(v));
                    break;
                }
            case 8 when data.Count > 0: // truncate
                { int keep = rng.Next(data.Count); data.RemoveRange(keep, data.Count - keep); break; }
            default: // an interesting byte: quote, brace, newline, NUL, 0xFF, a UTF-8 lead byte
                {
                    byte[] interesting = [(byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)',', (byte)'\n', (byte)'\\', 0, 0xFF, 0xC0, 0xED, 0x80];
                    if (data.Count > 0) data[At()] = interesting[rng.Next(interesting.Length)];
                    break;
                }
        }
        // Repeated duplication could grow an input without bound.
        if (data.Count > 1 << 26) data.RemoveRange(1 << 26, data.Count - (1 << 26));
    }

    static int FindDigits(Random rng, List<byte> data)
    {
        if (data.Count == 0) return 0;
        int start = rng.Next(data.Count);
        for (int k = 0; k < data.Count; k++)
        {
            int i = (start + k) % data.Count;
            if (char.IsAsciiDigit((char)data[i]) && (i == 0 || !char.IsAsciiDigit((char)data[i - 1]))) return i;
        }
        return start;
    }
}
