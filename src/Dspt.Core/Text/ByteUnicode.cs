using System.Collections.Immutable;

namespace Dspt.Text;

/// <summary>
/// CLIP's <c>bytes_to_unicode</c>: every byte gets a printable, non-whitespace character so a
/// BPE symbol is a plain string. Printable Latin-1 bytes map to themselves, the other 68 bytes to
/// U+0100.. in byte order. <see cref="Chars"/> is in the order of the Python dict's values, which
/// is the order of the first 256 vocabulary entries.
/// </summary>
internal static class ByteUnicode
{
    // The 68 bytes that are not printable, in the order they take U+0100, U+0101, ...
    static readonly ImmutableArray<byte> Unprintable =
        [.. Enumerable.Range(0, 256).Where(b => !IsPrintable(b)).Select(b => (byte)b)];

    /// <summary>Characters in vocabulary order (ids 0..255); <see cref="ByteOf"/> inverts it.</summary>
    public static ImmutableArray<char> Chars { get; } = BuildOrder();

    static readonly ImmutableArray<char> CharOfByte = BuildCharOfByte();

    public static char CharOf(byte b) => CharOfByte[b];

    /// <summary>The byte a character stands for, or -1 when it is not one of the 256.</summary>
    public static int ByteOf(char c)
    {
        if (IsPrintable(c)) return c;
        int offset = c - 256;
        return offset >= 0 && offset < Unprintable.Length ? Unprintable[offset] : -1;
    }

    static bool IsPrintable(int b) => b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';

    static ImmutableArray<char> BuildOrder()
    {
        var printable = Enumerable.Range(0, 256).Where(IsPrintable).Select(b => (char)b);
        var rest = Enumerable.Range(0, 256 - 188).Select(n => (char)(256 + n));
        return [.. printable, .. rest];
    }

    static ImmutableArray<char> BuildCharOfByte()
    {
        var chars = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++)
            chars[b] = IsPrintable(b) ? (char)b : (char)(256 + n++);
        return [.. chars];
    }
}
