using System.Text.Json;

namespace Dspt.IO;

public static class JsonFile
{
    /// <summary>JSON files Dspt reads are small (configs, splits, vocabularies); a bigger one is refused unread.</summary>
    public const long MaxBytes = 1L << 30;

    static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    /// <summary>Parses a JSON file; malformed or unreadable files fail with the path and the reason.</summary>
    public static JsonDocument Parse(string path) => Parse(InputFile.ReadAllBytes(path, MaxBytes), path);

    /// <summary>
    /// Parses JSON text and checks that every string and property name is valid Unicode (the
    /// reader only finds invalid UTF-8 or an unpaired surrogate escape when a string is read, and
    /// then throws InvalidOperationException), so callers may call GetString freely.
    /// </summary>
    /// <param name="source">Names the text in error messages (a file, or a file and a field).</param>
    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, Options); }
        catch (JsonException e) { throw new InvalidInputException($"{source}: not valid JSON: {e.Message}", e); }
        // The duplicate-name check decodes names while parsing, and meets bad ones first.
        catch (InvalidOperationException e) { throw Invalid(source, "a property name", e); }
        try
        {
            CheckStrings(doc.RootElement, source, "$");
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    /// <summary>Throws unless every string and property name under <paramref name="root"/> is valid Unicode.</summary>
    public static void CheckStrings(JsonElement root, string source) => CheckStrings(root, source, "$");

    static void CheckStrings(JsonElement element, string source, string where)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                Decode(element, source, where);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray()) CheckStrings(item, source, $"{where}[{i++}]");
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try { name = property.Name; }
                    catch (InvalidOperationException e) { throw Invalid(source, $"a property name in {where}", e); }
                    CheckStrings(property.Value, source, $"{where}.{name}");
                }
                break;
        }
    }

    static void Decode(JsonElement element, string source, string where)
    {
        try { element.GetString(); }
        catch (InvalidOperationException e) { throw Invalid(source, where, e); }
    }

    static InvalidInputException Invalid(string source, string where, Exception e) =>
        new($"{source}: the string at {where} is not valid Unicode (invalid UTF-8 or an unpaired surrogate): {e.Message}", e);
}
