using System.CommandLine;
using System.Globalization;
using Dspt.Data;

namespace Dspt.Cli;

/// <summary>
/// How a dataset is read (<see cref="DatasetOptions"/>), the same options for `dspt data inspect`
/// and `dspt train`, so a run reads exactly what inspect showed. The template has its own option
/// on each command (its help text differs).
/// </summary>
public sealed class DatasetReadingOptions
{
    public Option<string?> Format { get; } = new("--format") { Description = $"dataset layout, default detected: {string.Join(", ", DatasetFormats.All)}" };
    public Option<bool> Verify { get; } = new("--verify-images") { Description = "Decode every image while reading (slow)" };
    public Option<bool> SkipBad { get; } = new("--skip-bad") { Description = "Skip missing or unreadable images with a warning instead of failing" };
    public Option<string> Split { get; } = new("--split") { Description = "train,val,test fractions for unsplit folders and manifests", DefaultValueFactory = _ => "0.5,0.2,0.3" };
    public Option<int> SplitSeed { get; } = new("--split-seed") { Description = "Seed of that split", DefaultValueFactory = _ => 0 };
    public Option<string?> ClassNames { get; } = new("--classnames") { Description = "Class-name list of a manifest (default: classnames.txt beside it)" };

    /// <summary>The reading options other than --format.</summary>
    public IReadOnlyList<Option> Reading => [Verify, SkipBad, Split, SplitSeed, ClassNames];

    public DatasetOptions Read(ParseResult parse, string? template) => new()
    {
        SplitRatios = ParseRatios(parse.GetValue(Split)!),
        SplitSeed = parse.GetValue(SplitSeed),
        ClassNamesPath = parse.GetValue(ClassNames) is { } names ? Path.GetFullPath(names) : null,
        Template = template,
        SkipBad = parse.GetValue(SkipBad),
        VerifyImages = parse.GetValue(Verify),
    };

    static IReadOnlyList<double> ParseRatios(string text)
    {
        var ratios = new List<double>();
        foreach (var p in text.Split(','))
            ratios.Add(double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double r)
                ? r
                : throw new InvalidInputException($"--split {text}: expected three fractions train,val,test such as 0.5,0.2,0.3"));
        return ratios;
    }
}
