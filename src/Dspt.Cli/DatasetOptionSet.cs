using System.CommandLine;
using System.Globalization;
using Dspt.Data;

namespace Dspt.Cli;

/// <summary>
/// How a dataset is read (<see cref="DatasetOptions"/>): the same options, declared once here, on
/// every command that reads a dataset (data inspect, train, eval, suspects, import-coop), so a run
/// reads exactly what inspect showed. The template has its own option on each command (its help
/// text differs).
/// </summary>
public sealed class DatasetOptionSet
{
    public Option<string?> Format { get; } = new("--format") { Description = $"dataset layout, default detected: {string.Join(", ", DatasetFormats.All)}" };
    public Option<bool> Verify { get; } = new("--verify-images") { Description = "decode every image while reading (slow)" };
    public Option<bool> SkipBad { get; } = new("--skip-bad") { Description = "skip missing or unreadable images with a warning instead of failing" };
    public Option<string> Split { get; } = new("--split") { Description = "train,val,test fractions for unsplit folders and manifests", DefaultValueFactory = _ => "0.5,0.2,0.3" };
    public Option<int> SplitSeed { get; } = new("--split-seed") { Description = "seed of that split", DefaultValueFactory = _ => 0 };
    public Option<string?> ClassesFile { get; } = new("--classes-file") { Description = "class names of a manifest whose labels are indices, one per line in label order (default: classnames.txt beside it)" };

    /// <summary>The spelling before --classes-file, still read.</summary>
    public Option<string?> OldClassNames { get; } = new("--classnames") { Hidden = true };

    public IReadOnlyList<Option> All => [Format, Verify, SkipBad, Split, SplitSeed, ClassesFile, OldClassNames];

    /// <summary>The options whose values decide what is read (all but --format, which RunSpec keeps apart).</summary>
    public IReadOnlyList<Option> Reading => [Verify, SkipBad, Split, SplitSeed, ClassesFile, OldClassNames];

    public DatasetOptions Read(ParseResult parse, string? template) => new()
    {
        SplitRatios = ParseRatios(parse.GetValue(Split)!),
        SplitSeed = parse.GetValue(SplitSeed),
        ClassNamesPath = (parse.GetValue(ClassesFile) ?? parse.GetValue(OldClassNames)) is { } names ? Path.GetFullPath(names) : null,
        Template = template,
        SkipBad = parse.GetValue(SkipBad),
        VerifyImages = parse.GetValue(Verify),
    };

    /// <summary>Reads <paramref name="path"/> with these options (warnings to <paramref name="warn"/>).</summary>
    public Dataset ReadDataset(ParseResult parse, string path, string? template, Action<string>? warn) =>
        DatasetReader.Read(path, parse.GetValue(Format), Read(parse, template), warn);

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
