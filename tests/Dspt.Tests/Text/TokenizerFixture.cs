using System.Text.Json;
using Dspt.Text;

namespace Dspt.Tests.Text;

/// <summary>One entry of clip-tokenizer/tokens.json, made by OpenAI's simple_tokenizer and clip.tokenize.</summary>
public sealed record TokenizerCase(
    int Id, string Category, string Text, int[] Ids, string[] Pieces, string Decoded,
    int[]? Padded, bool TokenizeRaises, int[]? Truncated, string[] Flags, string? Error)
{
    public override string ToString() => $"case {Id} ({Category}) {JsonSerializer.Serialize(Text)}";
}

/// <summary>The real vocabulary and the 396 reference cases, read once for all tokenizer tests.</summary>
public static class TokenizerFixture
{
    public static string VocabPath => Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz");

    static readonly Lazy<ClipTokenizer> RealTokenizer = new(() => ClipTokenizer.Load(VocabPath));
    static readonly Lazy<IReadOnlyList<TokenizerCase>> AllCases = new(ReadCases);

    public static ClipTokenizer Real => RealTokenizer.Value;
    public static IReadOnlyList<TokenizerCase> Cases => AllCases.Value;

    static IReadOnlyList<TokenizerCase> ReadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Repo.Fixture("clip-tokenizer", "tokens.json")));
        var root = doc.RootElement;
        Assert.Equal(49406, root.GetProperty("sot_id").GetInt32());
        Assert.Equal(49407, root.GetProperty("eot_id").GetInt32());
        var cases = new List<TokenizerCase>();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            int[]? Ints(string name) =>
                c.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray().Select(x => x.GetInt32())] : null;
            string[] Strings(string name) =>
                c.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray().Select(x => x.GetString()!)] : [];
            cases.Add(new TokenizerCase(
                c.GetProperty("id").GetInt32(), c.GetProperty("category").GetString()!, c.GetProperty("text").GetString()!,
                Ints("ids")!, Strings("pieces"), c.GetProperty("decoded").GetString()!, Ints("padded"),
                c.GetProperty("tokenize_raises").GetBoolean(), Ints("truncated"), Strings("flags"),
                c.TryGetProperty("error", out var e) ? e.GetString() : null));
        }
        Assert.Equal(root.GetProperty("count").GetInt32(), cases.Count);
        return cases;
    }

    /// <summary>Fails listing every case for which <paramref name="check"/> returns a complaint.</summary>
    public static void AssertAll(IEnumerable<TokenizerCase> cases, Func<TokenizerCase, string?> check)
    {
        var failures = cases.Select(c => check(c) is { } why ? $"{c}: {why}" : null).OfType<string>().ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} case(s) differ:\n" + string.Join("\n", failures.Take(20)));
    }

    public static string Show(IEnumerable<long> ids) => "[" + string.Join(",", ids) + "]";
    public static string Show(IEnumerable<int> ids) => "[" + string.Join(",", ids) + "]";
}
