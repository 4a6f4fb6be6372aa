using System.IO.Compression;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// Reading side of PyTorch's zip container (torch.save since 1.6, and TorchScript): every entry sits
/// under one folder whose name comes from the first entry, as PyTorchStreamReader decides it.
/// </summary>
internal sealed class TorchZip : IDisposable
{
    /// <summary>The first bytes of a zip file (a local file header).</summary>
    internal static ReadOnlySpan<byte> ZipMagic => [0x50, 0x4B, 0x03, 0x04];

    readonly FileStream stream;
    readonly ZipArchive archive;

    public string Path { get; }
    public string Root { get; }

    /// <summary>TorchScript archives carry compiled code (<c>code/</c>) and <c>constants.pkl</c>.</summary>
    public bool IsTorchScript =>
        Find("constants.pkl") != null || archive.Entries.Any(e => e.FullName.StartsWith(Root + "/code/", StringComparison.Ordinal));

    TorchZip(string path, FileStream stream, ZipArchive archive, string root)
    {
        Path = path;
        this.stream = stream;
        this.archive = archive;
        Root = root;
    }

    public static TorchZip Open(string path)
    {
        var stream = InputFile.OpenRead(path);
        try
        {
            Span<byte> head = stackalloc byte[4];
            int n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            if (n < 4 || !head.SequenceEqual(ZipMagic))
                throw new InvalidInputException(n > 0 && head[0] == 0x80
                    ? $"{path}: legacy (pre-1.6) torch.save format; re-save with torch >= 1.6 (torch.save(torch.load(f), f))"
                    : $"{path}: not a zip archive (torch.save >= 1.6 and TorchScript files start with 'PK\\x03\\x04')");
            stream.Position = 0;
            ZipArchive archive;
            string first;
            // A damaged central directory surfaces as any of these, from the constructor or from
            // the first look at the entries.
            try
            {
                archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
                if (archive.Entries.Count == 0)
                {
                    archive.Dispose();
                    throw new InvalidInputException($"{path}: the zip archive has no entries");
                }
                first = archive.Entries[0].FullName;
            }
            catch (Exception e) when (IsDamage(e))
            {
                throw new InvalidInputException($"{path}: the zip archive is truncated or damaged: {e.Message}", e);
            }
            int slash = first.IndexOf('/');
            if (slash <= 0)
            {
                archive.Dispose();
                throw new InvalidInputException($"{path}: zip entry '{first}' is not inside a folder; torch archives keep every entry under one folder");
            }
            return new TorchZip(path, stream, archive, first[..slash]);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The entry <c>&lt;root&gt;/&lt;name&gt;</c>, or null.</summary>
    public ZipArchiveEntry? Find(string name) => archive.GetEntry(Root + "/" + name);

    /// <summary>Deflate cannot expand data more than about 1032-fold; a larger claim is a lie.</summary>
    const long MaxDeflateRatio = 1032;

    /// <summary>A pickle (data.pkl) bigger than this is not a checkpoint's.</summary>
    const long MaxPickleBytes = 1L << 28;

    /// <summary>The entry's stated size, once it is known to be possible for the bytes in the file.</summary>
    long DeclaredLength(ZipArchiveEntry entry)
    {
        long length = entry.Length, compressed = entry.CompressedLength;
        if (length < 0 || compressed < 0 || compressed > stream.Length
            || length > Math.Max(compressed, 0) * MaxDeflateRatio + 1024)
            throw new InvalidInputException($"{Path}: zip entry '{entry.FullName}' claims {length} bytes from {compressed} stored bytes in a {stream.Length}-byte file (damaged archive)");
        return length;
    }

    public byte[] ReadAll(ZipArchiveEntry entry)
    {
        if (DeclaredLength(entry) > MaxPickleBytes)
            throw new InvalidInputException($"{Path}: entry '{entry.FullName}' is too large ({entry.Length} bytes; at most {MaxPickleBytes} are read)");
        var bytes = new byte[entry.Length];
        ReadInto(entry, bytes);
        return bytes;
    }

    /// <summary>Reads storage <c>data/&lt;key&gt;</c> as a 1-D tensor of <paramref name="dtype"/>.</summary>
    public Tensor ReadStorage(string key, ScalarType dtype, long bytes)
    {
        var entry = Find("data/" + key)
            ?? throw new InvalidInputException($"{Path}: data.pkl refers to storage '{key}' but the archive has no entry '{Root}/data/{key}'");
        if (DeclaredLength(entry) != bytes)
            throw new InvalidInputException($"{Path}: entry '{entry.FullName}' holds {entry.Length} bytes but data.pkl describes a storage of {bytes} bytes ({dtype})");
        var tensor = empty(bytes / TorchPickleHost.ElementSize(dtype), dtype);
        if (bytes > 0) ReadInto(entry, tensor.bytes);
        return tensor;
    }

    void ReadInto(ZipArchiveEntry entry, Span<byte> target)
    {
        try
        {
            using var s = entry.Open();
            s.ReadExactly(target);
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidInputException($"{Path}: cannot read zip entry '{entry.FullName}' (truncated or damaged archive): {e.Message}", e);
        }
    }

    static bool IsDamage(Exception e) =>
        e is InvalidDataException or EndOfStreamException or IOException or NotSupportedException
            or ArgumentException or OverflowException or IndexOutOfRangeException;

    public void Dispose()
    {
        archive.Dispose();
        stream.Dispose();
    }
}
