using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dspt.Tests;

/// <summary>One JSON key style in every file Dspt writes: snake_case.</summary>
public static partial class JsonKeys
{
    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();

    /// <summary>Every key of every object in <paramref name="file"/> (JSON, or JSON lines) is snake_case, except inside the maps named in <paramref name="dataMaps"/> (keys that are data, such as loss names).</summary>
    public static void AssertSnakeCase(string file, params string[] dataMaps)
    {
        var texts = file.EndsWith(".jsonl") ? File.ReadAllLines(file).Where(l => l.Length > 0) : [File.ReadAllText(file)];
        foreach (var text in texts)
        {
            using var doc = JsonDocument.Parse(text);
            Walk(doc.RootElement, Path.GetFileName(file), dataMaps);
        }
    }

    static void Walk(JsonElement e, string where, string[] dataMaps)
    {
        if (e.ValueKind == JsonValueKind.Array)
            foreach (var item in e.EnumerateArray()) Walk(item, where + "[]", dataMaps);
        if (e.ValueKind != JsonValueKind.Object) return;
        foreach (var p in e.EnumerateObject())
        {
            Assert.True(SnakeCase().IsMatch(p.Name), $"{where}: key '{p.Name}' is not snake_case");
            if (!dataMaps.Contains(p.Name)) Walk(p.Value, $"{where}.{p.Name}", dataMaps);
        }
    }
}
