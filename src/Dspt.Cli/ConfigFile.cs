using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dspt.Cli;

/// <summary>
/// `--config FILE` on every command: a YAML or JSON mapping whose keys are the command's long
/// option names (without the dashes; `batch-size` and `batch_size` both work, so a manifest's
/// recorded options read back). Its settings are added to the command line as if typed there,
/// except for options the command line already gives: the command line wins. An unknown key or a
/// value of the wrong type is an error naming the key, the file and what was expected.
/// </summary>
public static class ConfigFile
{
    public const string Name = "--config";

    public static Option<string?> Create() => new(Name)
    {
        Description = "YAML or JSON file of option settings (keys: the long option names, e.g. batch-size: 64); the command line wins",
        Recursive = true,
    };

    /// <summary>The command line with the config file's settings added (unchanged without --config).</summary>
    public static string[] Expand(RootCommand root, string[] args)
    {
        var first = root.Parse(args);
        if (first.GetResult(Name) is not OptionResult { Implicit: false } given || given.Tokens.Count != 1) return args;
        string path = Path.GetFullPath(given.Tokens[0].Value);
        var command = first.CommandResult.Command;
        var options = OptionsOf(command);
        var added = new List<string>();
        var seen = new Dictionary<string, string>();
        foreach (var (key, value, line) in Read(path))
        {
            string name = key.Replace('_', '-');
            string where = $"{path}: key '{key}' (line {line})";
            if (seen.TryGetValue(name, out var other))
                throw new InvalidInputException($"{where}: the same option as '{other}'");
            seen[name] = key;
            var option = options.FirstOrDefault(o => o.Name == "--" + name)
                ?? throw new InvalidInputException($"{where}: not an option of 'dspt {CommandPath(command)}'; its options: "
                    + string.Join(", ", options.Where(o => !o.Hidden).Select(o => o.Name.TrimStart('-'))));
            if (option.Name == Name) throw new InvalidInputException($"{where}: a config file cannot name another config file");
            var tokens = Tokens(option, value, where);
            if (first.GetResult(option) is { Implicit: false }) continue;   // the command line wins
            added.AddRange(tokens);
        }
        int end = Array.IndexOf(args, "--");
        return end < 0 ? [.. args, .. added] : [.. args[..end], .. added, .. args[end..]];
    }

    /// <summary>The options a config file may set for <paramref name="command"/>: its own and the recursive ones above it.</summary>
    public static IReadOnlyList<Option> OptionsOf(Command command)
    {
        var all = new List<Option>(command.Options.Where(Settable));
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            all.AddRange(parent.Options.Where(o => o.Recursive && Settable(o) && all.All(a => a.Name != o.Name)));
        return all;
    }

    static bool Settable(Option o) => o is not (System.CommandLine.Help.HelpOption or VersionOption);

    static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault()) names.Insert(0, c.Name);
        return string.Join(' ', names);
    }

    static List<(string Key, YamlNode Value, long Line)> Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"--config {path}: no such file");
        var stream = new YamlStream();
        try { stream.Load(new StringReader(File.ReadAllText(path))); }
        catch (YamlException e) { throw new InvalidInputException($"{path}: not valid YAML or JSON (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e); }
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidInputException($"{path}: expected one mapping of option names to values (e.g. batch-size: 64)");
        var entries = new List<(string, YamlNode, long)>();
        foreach (var (k, v) in root.Children)
        {
            if (k is not YamlScalarNode { Value: { Length: > 0 } key })
                throw new InvalidInputException($"{path}: line {k.Start.Line}: expected an option name as the key");
            entries.Add((key.TrimStart('-'), v, k.Start.Line));
        }
        return entries;
    }

    /// <summary>The command-line tokens for one setting, its type checked against the option's.</summary>
    static List<string> Tokens(Option option, YamlNode value, string where)
    {
        // A null (as a manifest records an option left unset) leaves the option to its default.
        if (IsNull(value)) return [];
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var items = value is YamlSequenceNode seq ? seq.Children : [value];
            var tokens = new List<string>();
            foreach (var item in items) tokens.Add($"{option.Name}={Scalar(item, element, where, $"{TypeName(element)} or a list of them")}");
            return tokens;
        }
        string text = Scalar(value, type, where, TypeName(type));
        return [$"{option.Name}={text}"];
    }

    static string Scalar(YamlNode node, Type type, string where, string expected)
    {
        if (node is not YamlScalarNode { Value: { } text } || IsNull(node))
            throw new InvalidInputException($"{where}: expected {expected}, got {Describe(node)}");
        bool ok = type == typeof(string)
            || (type == typeof(bool) && text is "true" or "false")
            || (type == typeof(int) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            || (type == typeof(long) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            || (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        if (!ok) throw new InvalidInputException($"{where}: expected {expected}, got '{text}'");
        return text;
    }

    static bool IsNull(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "no value",
    };

    static string TypeName(Type type) =>
        type == typeof(bool) ? "true or false"
        : type == typeof(int) || type == typeof(long) ? "an integer"
        : type == typeof(double) ? "a number"
        : "a string";
}
