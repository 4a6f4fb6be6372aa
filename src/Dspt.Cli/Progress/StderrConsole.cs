using Spectre.Console;

namespace Dspt.Cli.Progress;

/// <summary>
/// Progress and logs go to stderr, results to stdout, so `dspt ... > results.txt` keeps only the
/// results and a live bar never mixes with them. Live bars only on a terminal: the process's own
/// stderr, not redirected (tests pass their own writers and get plain lines).
/// </summary>
public static class StderrConsole
{
    public static bool IsInteractive(TextWriter log) =>
        ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected && Create().Profile.Capabilities.Interactive;

    public static IAnsiConsole Create() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });
}
