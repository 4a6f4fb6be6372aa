using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dspt.Cli;

/// <summary>
/// What a command ran with: its arguments, every option's value after the command line, the config file and the
/// defaults, keyed by its long name in snake_case (so the "options" object is itself a valid
/// config file), the config file, and which options the user set. Recorded in run manifests.
/// </summary>
public static class ResolvedSettings
{
    public static JsonObject Of(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var options = new JsonObject();
        var given = new JsonArray();
        foreach (var option in ConfigFile.OptionsOf(command).Where(o => !o.Hidden && o.Name != ConfigFile.Name).OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            string key = option.Name.TrimStart('-').Replace('-', '_');
            var result = parse.GetResult(option);
            object? value = result is null ? null : result.GetValueOrDefault<object?>();
            if (result is null && option.ValueType == typeof(bool)) value = false;
            options[key] = value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType());
            if (result is { Implicit: false }) given.Add(key);
        }
        var arguments = new JsonObject();
        foreach (var argument in command.Arguments)
            arguments[argument.Name.Replace('-', '_')] = parse.GetResult(argument)?.GetValueOrDefault<object?>() is { } v ? JsonSerializer.SerializeToNode(v, v.GetType()) : null;
        string? config = parse.GetValue<string?>(ConfigFile.Name);
        return new JsonObject
        {
            ["command"] = Path(command),
            ["config"] = config is null ? null : System.IO.Path.GetFullPath(config),
            ["arguments"] = arguments,
            ["options"] = options,
            ["given"] = given,
        };
    }

    static string Path(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault()) names.Insert(0, c.Name);
        return string.Join(' ', names);
    }
}
