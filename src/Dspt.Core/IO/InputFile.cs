using System.Runtime.InteropServices;

namespace Dspt.IO;

/// <summary>
/// Opens files that are read as input. Only regular files are accepted: opening a FIFO blocks
/// until someone writes to it, and a device such as /dev/zero never ends, so the type is checked
/// (with the symlink followed, as open would) before the file is opened.
/// </summary>
public static partial class InputFile
{
    /// <summary>Throws unless <paramref name="path"/> is (a link to) a regular file.</summary>
    public static void RequireRegular(string path)
    {
        if (FileType(path) is { } type && type != RegularFile)
            throw new InvalidInputException($"{path}: not a regular file ({Describe(type)}); inputs must be regular files");
    }

    /// <summary>False for FIFOs, devices, sockets and folders; true for regular files (and
    /// wherever the type cannot be asked).</summary>
    public static bool IsRegular(string path) => FileType(path) is not { } type || type == RegularFile;

    public static FileStream OpenRead(string path, int bufferSize = 1 << 16)
    {
        RequireRegular(path);
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidInputException($"{path}: cannot open: {e.Message}", e);
        }
    }

    /// <param name="maxBytes">Files larger than this are refused before anything is allocated.</param>
    public static byte[] ReadAllBytes(string path, long maxBytes = 0x7FFFFFC7)
    {
        using var stream = OpenRead(path);
        try
        {
            long length = stream.Length;
            if (length > maxBytes)
                throw new InvalidInputException($"{path}: {length} bytes is more than the {maxBytes} bytes such a file may have");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read: {e.Message}", e);
        }
    }

    const uint TypeMask = 0xF000, RegularFile = 0x8000;

    static string Describe(uint type) => type switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x4000 => "a folder",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => $"file type 0x{type:x4}",
    };

    /// <summary>S_IFMT of the file (links followed), or null where it cannot be asked (not Linux,
    /// or no such file: opening then reports that).</summary>
    static uint? FileType(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        // statx's buffer has one layout on every Linux architecture (stx_mode: u16 at offset 28),
        // unlike struct stat.
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
        return BitConverter.ToUInt16(buffer[28..30]) & TypeMask;
    }

    const int AtFdCwd = -100;
    const uint StatxType = 0x1;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
