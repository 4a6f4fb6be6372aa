using System.CommandLine;
using Dspt.Cli;

namespace Dspt.Tests;

/// <summary>
/// One command line: walks every command's options and checks the spelling rules, so a new
/// option cannot bring back a second name for a concept or a second meaning for a name.
/// </summary>
public class CommandLineRulesTests
{
    static readonly RootCommand Root = DsptCli.Build();

    /// <summary>Every command that runs (has no subcommands), with its path.</summary>
    static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path = "")
    {
        if (command.Subcommands.Count == 0) yield return (path.Trim(), command);
        foreach (var sub in command.Subcommands)
            foreach (var leaf in Leaves(sub, $"{path} {sub.Name}"))
                yield return leaf;
    }

    static IEnumerable<(string Path, Option Option)> AllOptions() =>
        Leaves(Root).SelectMany(l => l.Command.Options.Where(o => !o.Hidden).Select(o => (l.Path, o)));

    [Fact]
    public void OldAndSecondSpellingsAreGone()
    {
        string[] banned = ["--output", "--batch", "--output-dir", "--out-dir", "--outdir", "--model-dir", "--classnames", "--topk", "--num-shots", "--save-dir", "--bs"];
        var found = AllOptions().Where(p => p.Option.Aliases.Append(p.Option.Name).Any(banned.Contains)).Select(p => $"{p.Path}: {p.Option.Name}").ToList();
        Assert.Empty(found);
        // A batch size is always spelled ...batch-size.
        Assert.Empty(AllOptions().Where(p => p.Option.Name.Contains("batch") && !p.Option.Name.EndsWith("batch-size")).Select(p => $"{p.Path}: {p.Option.Name}"));
    }

    [Fact]
    public void EveryShortAliasHasOneMeaning()
    {
        var expected = new Dictionary<string, string>
        {
            ["-o"] = "--out", ["-k"] = "--shots", ["-d"] = "--dataset", ["-m"] = "--model", ["-p"] = "--prompt", ["-c"] = "--checkpoint",
        };
        foreach (var (path, option) in AllOptions())
            foreach (var alias in option.Aliases.Where(a => !a.StartsWith("--")))
            {
                Assert.True(expected.ContainsKey(alias), $"{path}: {option.Name} has the short alias {alias}, which has no agreed meaning");
                Assert.True(expected[alias] == option.Name, $"{path}: {alias} means {option.Name}, elsewhere {expected[alias]}");
            }
        // And the long names that have one always carry it.
        foreach (var (path, option) in AllOptions().Where(p => p.Option.Name is "--out" or "--shots" or "--dataset" or "--prompt"))
            Assert.True(option.Aliases.Contains(expected.First(e => e.Value == option.Name).Key), $"{path}: {option.Name} lacks its short alias");
    }

    /// <summary>The same name takes the same kind of value everywhere (a list of them counts as the same kind).</summary>
    [Fact]
    public void EveryNameTakesOneKindOfValue()
    {
        // dspt demo's --epochs and --lr also take LOSS=N, per loss: the same concept, given per loss.
        var perLoss = new HashSet<(string, string)> { ("demo", "--epochs"), ("demo", "--lr") };
        var byName = AllOptions().Where(p => !perLoss.Contains((p.Path, p.Option.Name))).GroupBy(p => p.Option.Name);
        foreach (var group in byName)
        {
            var kinds = group.Select(p => (p.Path, Kind: Kind(p.Option.ValueType))).ToList();
            var distinct = kinds.Select(k => k.Kind).Distinct().ToList();
            Assert.True(distinct.Count == 1, $"{group.Key} takes {string.Join(", ", kinds.Select(k => $"{k.Kind} in {k.Path}"))}");
        }
    }

    /// <summary>Options from the shared sets read the same everywhere (one meaning per flag: --split is always the fractions).</summary>
    [Fact]
    public void SharedOptionsAreDescribedAlikeEverywhere()
    {
        string[] shared = ["--format", "--split", "--split-seed", "--skip-bad", "--verify-images", "--cache-dir", "--no-cache", "--device", "--dtype", "--threads", "--corrections", "--subsample"];
        foreach (var name in shared)
        {
            var descriptions = AllOptions().Where(p => p.Option.Name == name)
                .Select(p => name == "--subsample" ? p.Option.Description!.Split(',')[0] : p.Option.Description).Distinct().ToList();
            Assert.True(descriptions.Count == 1, $"{name}: {string.Join(" | ", descriptions)}");
        }
    }

    [Fact]
    public void EveryCommandThatReadsADatasetTakesTheDatasetOptions()
    {
        string[] dataset = ["--format", "--split", "--split-seed", "--classes-file", "--skip-bad", "--verify-images"];
        var readers = Leaves(Root).Where(l => l.Command.Options.Any(o => o.Name == "--dataset") || l.Command.Arguments.Any(a => a.Name == "dataset")).ToList();
        Assert.Equal(["data inspect", "eval", "import-coop", "suspects", "train"], readers.Select(l => l.Path).Order());
        foreach (var (path, command) in readers)
            Assert.True(dataset.All(n => command.Options.Any(o => o.Name == n)),
                $"{path} lacks {string.Join(", ", dataset.Where(n => command.Options.All(o => o.Name != n)))}");
    }

    [Fact]
    public void EveryCommandThatLoadsAModelTakesTheModelOptions()
    {
        foreach (var (path, command) in Leaves(Root).Where(l => l.Command.Options.Any(o => o.Name == "--model" && o.Aliases.Contains("-m"))))
            foreach (var name in new[] { "--vocab", "--device", "--threads" }.Where(_ => path != "export-coop" && path != "import-coop"))
                Assert.True(command.Options.Any(o => o.Name == name), $"{path} lacks {name}");
        foreach (var path in new[] { "classify", "encode" })
            Assert.Contains(Leaves(Root).Single(l => l.Path == path).Command.Options, o => o.Name == "--dtype");
    }

    [Fact]
    public void EveryCommandTakesAConfigFile()
    {
        foreach (var (path, _) in Leaves(Root).Where(l => l.Path != "help"))
        {
            var help = Cli.Ok([.. path.Split(' '), "--help"]);
            Assert.True(help.Contains("--config"), $"dspt {path} --help does not show --config");
        }
    }

    static string Kind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) type = type.GetElementType()!;
        return type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(double) ? "a number"
            : type == typeof(bool) ? "a flag"
            : type.Name;
    }
}
