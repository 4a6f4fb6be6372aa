using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Dspt.Tests.Imaging;

/// <summary>
/// Minimal writers for formats and variants that SkiaSharp cannot encode (palette PNG, gAMA
/// chunks, GIF, BMP, ICO), so the decoder is tested on files whose pixels we know exactly.
/// </summary>
public static class TestImageFiles
{
    public const byte PngGray = 0, PngRgb = 2, PngPalette = 3, PngGrayAlpha = 4, PngRgba = 6;

    /// <summary>An 8-bit PNG, unfiltered rows, with optional PLTE / tRNS / gAMA chunks.</summary>
    public static byte[] Png(int width, int height, byte colorType, byte[] rows,
        byte[]? palette = null, byte[]? transparency = null, uint? gamma = null)
    {
        int channels = colorType switch { PngGray => 1, PngRgb => 3, PngPalette => 1, PngGrayAlpha => 2, PngRgba => 4, _ => throw new ArgumentOutOfRangeException(nameof(colorType)) };
        Assert.Equal(width * height * channels, rows.Length);
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = colorType;
        Chunk(ms, "IHDR", ihdr);
        if (gamma is uint g)
        {
            var gama = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(gama, g);
            Chunk(ms, "gAMA", gama);
        }
        if (palette != null) Chunk(ms, "PLTE", palette);
        if (transparency != null) Chunk(ms, "tRNS", transparency);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0);
                    z.Write(rows, y * width * channels, width * channels);
                }
            Chunk(ms, "IDAT", raw.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. head.AsSpan(4).ToArray(), .. data]));
        s.Write(crc);
    }

    static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    /// <summary>A 24-bit bottom-up BI_RGB BMP of RGB pixels.</summary>
    public static byte[] Bmp(int width, int height, byte[] rgb)
    {
        int stride = (width * 3 + 3) & ~3;
        var bytes = new byte[54 + stride * height];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), stride * height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int src = 3 * (y * width + x), dst = 54 + (height - 1 - y) * stride + 3 * x;
                bytes[dst] = rgb[src + 2];
                bytes[dst + 1] = rgb[src + 1];
                bytes[dst + 2] = rgb[src];
            }
        return bytes;
    }

    /// <summary>
    /// A GIF89a with a 4-colour global palette and one full-size frame per index array. The LZW
    /// stream sends a clear code before every second pixel, so the code width stays at 3 bits and
    /// no dictionary entry is ever referenced: valid, if not compressed.
    /// </summary>
    public static byte[] Gif(int width, int height, byte[] palette4, params byte[][] frames)
    {
        Assert.Equal(12, palette4.Length);
        using var ms = new MemoryStream();
        ms.Write("GIF89a"u8);
        WriteU16(ms, width);
        WriteU16(ms, height);
        ms.Write([0x91, 0, 0]); // global table, 2 bits of colour resolution, 4 entries
        ms.Write(palette4);
        foreach (var indices in frames)
        {
            Assert.Equal(width * height, indices.Length);
            ms.Write([0x21, 0xF9, 4, 0x04, 10, 0, 0, 0]); // graphic control: keep frame, 0.1 s, no transparency
            ms.WriteByte(0x2C);
            WriteU16(ms, 0);
            WriteU16(ms, 0);
            WriteU16(ms, width);
            WriteU16(ms, height);
            ms.WriteByte(0);
            ms.WriteByte(2); // LZW minimum code size
            var lzw = new BitWriter();
            for (int i = 0; i < indices.Length; i++)
            {
                if (i % 2 == 0) lzw.Write(4, 3);
                lzw.Write(indices[i], 3);
            }
            lzw.Write(5, 3);
            var data = lzw.ToArray();
            for (int i = 0; i < data.Length; i += 255)
            {
                int n = Math.Min(255, data.Length - i);
                ms.WriteByte((byte)n);
                ms.Write(data, i, n);
            }
            ms.WriteByte(0);
        }
        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    static void WriteU16(Stream s, int v) { s.WriteByte((byte)v); s.WriteByte((byte)(v >> 8)); }

    sealed class BitWriter
    {
        readonly List<byte> bytes = [];
        int acc, bits;
        public void Write(int code, int width)
        {
            acc |= code << bits;
            bits += width;
            while (bits >= 8) { bytes.Add((byte)acc); acc >>= 8; bits -= 8; }
        }
        public byte[] ToArray() => bits > 0 ? [.. bytes, (byte)acc] : [.. bytes];
    }

    /// <summary>An ICO whose single entry is the given PNG (a format Skia reads and we refuse).</summary>
    public static byte[] IcoWithPng(byte[] png, int size)
    {
        var bytes = new byte[6 + 16 + png.Length];
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(4), 1);
        bytes[6] = (byte)size;
        bytes[7] = (byte)size;
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(10), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(12), 32);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), png.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), 22);
        png.CopyTo(bytes, 22);
        return bytes;
    }
}
