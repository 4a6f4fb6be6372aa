using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Dspt.Prompting;

/// <summary>
/// Writes the <see cref="PromptLayout"/> member of a record (manifest.json's spec, prompt.json)
/// as flat fields in its place, as the v1 files have them (n_ctx, ctx_init, class_specific,
/// position), so the files and the run fingerprint hashed from them stay what they were; reads
/// the flat fields (and a nested object too). Add it to the options, not as an attribute: it
/// serialises the record itself with the same options minus this converter.
/// </summary>
public sealed class PromptLayoutJson<T>(string member) : JsonConverter<T>
{
    JsonSerializerOptions? inner;

    JsonSerializerOptions Inner(JsonSerializerOptions options)
    {
        if (inner is not null) return inner;
        var copy = new JsonSerializerOptions(options);
        foreach (var c in copy.Converters.Where(c => c is PromptLayoutJson<T>).ToList()) copy.Converters.Remove(c);
        return inner = copy;
    }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException($"expected a JSON object for {typeof(T).Name}");
        var o = Inner(options);
        if (!node.ContainsKey(member))
        {
            var layout = new JsonObject();
            foreach (var key in LayoutKeys(o))
                if (node.Remove(key, out var value)) layout[key] = value;
            node[member] = layout;
        }
        return node.Deserialize<T>(o) ?? throw new JsonException($"{typeof(T).Name}: null");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        var o = Inner(options);
        var node = JsonSerializer.SerializeToNode(value, o) as JsonObject ?? throw new JsonException($"{typeof(T).Name} did not serialise to an object");
        writer.WriteStartObject();
        foreach (var (key, child) in node)
        {
            if (key == member && child is JsonObject layout)
                foreach (var (k, v) in layout) Property(writer, k, v, o);
            else
                Property(writer, key, child, o);
        }
        writer.WriteEndObject();
    }

    static void Property(Utf8JsonWriter writer, string name, JsonNode? value, JsonSerializerOptions options)
    {
        writer.WritePropertyName(name);
        if (value is null) writer.WriteNullValue();
        else value.WriteTo(writer, options);
    }

    static IEnumerable<string> LayoutKeys(JsonSerializerOptions options) =>
        ((JsonObject)JsonSerializer.SerializeToNode(new PromptLayout(), options)!).Select(p => p.Key);
}
