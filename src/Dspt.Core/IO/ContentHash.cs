using System.Security.Cryptography;

namespace Dspt.IO;

/// <summary>sha256 (lower-case hex) of file contents: model files, images, split files.</summary>
public static class ContentHash
{
    public static string OfFile(string path)
    {
        try
        {
            using var stream = InputFile.OpenRead(path, 1 << 20);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read: {e.Message}", e);
        }
    }

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
