using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Dspt.IO;

/// <summary>
/// Writes a zip the way PyTorchStreamWriter (miniz) does, so torch.load and mmap loading see what
/// they expect: entries stored uncompressed under one root folder, each entry's data 64-byte
/// aligned through an "FB" padding extra field, zeroed local-header CRC/sizes followed by a data
/// descriptor, DOS time 0, and zip64 end records.
/// </summary>
internal sealed class TorchZipWriter(Stream output, string root)
{
    const int Alignment = 64; // caffe2::serialize::kFieldAlignment

    sealed record Written(byte[] Name, uint Crc, uint Size, uint Offset);

    readonly List<Written> entries = [];
    long position;

    public void Add(string name, ReadOnlySpan<byte> data)
    {
        var fullName = Encoding.UTF8.GetBytes(root + "/" + name);
        if (entries.Count >= ushort.MaxValue - 1)
            throw new InvalidInputException($"cannot write '{name}': more than {ushort.MaxValue - 2} entries are not supported by this writer");
        if (position + data.Length + 2 * Alignment + fullName.Length >= uint.MaxValue)
            throw new InvalidInputException($"cannot write '{name}': archives over 4 GiB (zip64 entries) are not supported by this writer");
        long dataStart = position + 30 + fullName.Length + 4;
        int padding = (int)((Alignment - dataStart % Alignment) % Alignment);
        uint crc = Crc32.HashToUInt32(data);
        uint offset = (uint)position;

        Span<byte> header = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 0); // version needed: stored
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0x0808); // data descriptor follows, UTF-8 names
        // method, time, date, crc, sizes: all zero (the descriptor carries crc and sizes)
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)fullName.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)(padding + 4));
        Emit(header);
        Emit(fullName);
        Span<byte> extra = stackalloc byte[4];
        extra[0] = (byte)'F';
        extra[1] = (byte)'B';
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)padding);
        Emit(extra);
        Span<byte> pad = stackalloc byte[Alignment];
        pad.Fill((byte)'Z');
        Emit(pad[..padding]);
        Emit(data);

        Span<byte> descriptor = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[4..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[8..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[12..], (uint)data.Length);
        Emit(descriptor);
        entries.Add(new Written(fullName, crc, (uint)data.Length, offset));
    }

    /// <summary>Central directory, then the zip64 end record and locator that miniz always writes
    /// in zip64 mode, then the classic end record.</summary>
    public void Finish()
    {
        long directoryStart = position;
        Span<byte> h = stackalloc byte[46];
        foreach (var e in entries)
        {
            h.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(h[8..], 0x0808);
            BinaryPrimitives.WriteUInt32LittleEndian(h[16..], e.Crc);
            BinaryPrimitives.WriteUInt32LittleEndian(h[20..], e.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(h[24..], e.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)e.Name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(h[42..], e.Offset);
            Emit(h);
            Emit(e.Name);
        }
        long directorySize = position - directoryStart;
        long zip64EndStart = position;

        Span<byte> end64 = stackalloc byte[56];
        end64.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end64, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[4..], 44); // size of the rest of this record
        BinaryPrimitives.WriteUInt16LittleEndian(end64[12..], 0x031e); // made by: unix, 3.0 (miniz)
        BinaryPrimitives.WriteUInt16LittleEndian(end64[14..], 0x002d); // needed: 4.5 (zip64)
        BinaryPrimitives.WriteUInt64LittleEndian(end64[24..], (ulong)entries.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[32..], (ulong)entries.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[40..], (ulong)directorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[48..], (ulong)directoryStart);
        Emit(end64);

        Span<byte> locator = stackalloc byte[20];
        locator.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)zip64EndStart);
        BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1); // number of disks
        Emit(locator);

        Span<byte> end = stackalloc byte[22];
        end.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)directoryStart);
        Emit(end);
    }

    void Emit(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        position += bytes.Length;
    }
}
