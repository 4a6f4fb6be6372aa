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
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot open: {e.Message}", e);
        }
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
            try { archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
            catch (InvalidDataException e) { throw new InvalidInputException($"{path}: the zip archive is truncated or damaged: {e.Message}", e); }
            if (archive.Entries.Count == 0)
                throw new InvalidInputException($"{path}: the zip archive has no entries");
            string first = archive.Entries[0].FullName;
            int slash = first.IndexOf('/');
            if (slash <= 0)
                throw new InvalidInputException($"{path}: zip entry '{first}' is not inside a folder; torch archives keep every entry under one folder");
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

    public byte[] ReadAll(ZipArchiveEntry entry)
    {
        if (entry.Length > Array.MaxLength)
            throw new InvalidInputException($"{Path}: entry '{entry.FullName}' is too large ({entry.Length} bytes)");
        var bytes = new byte[entry.Length];
        ReadInto(entry, bytes);
        return bytes;
    }

    /// <summary>Reads storage <c>data/&lt;key&gt;</c> as a 1-D tensor of <paramref name="dtype"/>.</summary>
    public Tensor ReadStorage(string key, ScalarType dtype, long bytes)
    {
        var entry = Find("data/" + key)
            ?? throw new InvalidInputException($"{Path}: data.pkl refers to storage '{key}' but the archive has no entry '{Root}/data/{key}'");
        if (entry.Length != bytes)
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
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidInputException($"{Path}: cannot read zip entry '{entry.FullName}' (truncated or damaged archive): {e.Message}", e);
        }
    }

    public void Dispose()
    {
        archive.Dispose();
        stream.Dispose();
    }
}
