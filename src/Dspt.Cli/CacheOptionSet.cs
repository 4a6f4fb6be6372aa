using System.CommandLine;
using Dspt.Features;

namespace Dspt.Cli;

/// <summary>The image feature cache options (--cache-dir, --no-cache) of every command that encodes a dataset.</summary>
public sealed class CacheOptionSet
{
    public Option<string?> CacheDir { get; } = new("--cache-dir") { Description = $"image feature cache, default {ImageFeatureCache.DefaultDirectory()}" };
    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "keep image features in memory only" };

    public IReadOnlyList<Option> All => [CacheDir, NoCache];

    /// <summary>The cache folder (full path), or null with --no-cache.</summary>
    public string? Directory(ParseResult parse) =>
        parse.GetValue(NoCache) ? null : Path.GetFullPath(parse.GetValue(CacheDir) ?? ImageFeatureCache.DefaultDirectory());

    /// <summary>Whether the user chose where the cache is (or that there is none).</summary>
    public bool Given(ParseResult parse) => parse.GetResult(CacheDir) is { Implicit: false } || parse.GetValue(NoCache);
}
