using System.CommandLine;

namespace Dspt.Cli.Commands;

/// <summary>`dspt help [COMMAND...]`: the same text as `dspt [COMMAND...] --help`.</summary>
public static class HelpCommand
{
    public static Command Create(RootCommand root)
    {
        var path = new Argument<string[]>("command") { Description = "the command (and subcommand) to describe", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("help", "Show the commands, or what one command does and its options") { path };
        command.SetAction(parse =>
        {
            var names = parse.GetValue(path) ?? [];
            Command target = root;
            foreach (var name in names)
                target = target.Subcommands.FirstOrDefault(c => c.Name == name || c.Aliases.Contains(name))
                    ?? throw new InvalidInputException($"help: '{string.Join(' ', names)}' is not a command; the commands are: "
                        + string.Join(", ", target.Subcommands.Select(c => c.Name)));
            return root.Parse([.. names, "--help"]).Invoke(parse.InvocationConfiguration);
        });
        return command;
    }
}
