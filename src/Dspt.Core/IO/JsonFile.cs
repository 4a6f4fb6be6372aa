using System.Text.Json;

namespace Dspt.IO;

public static class JsonFile
{
    /// <summary>Parses a JSON file; malformed or unreadable files fail with the path and the reason.</summary>
    public static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read: {e.Message}", e);
        }
    }
}
