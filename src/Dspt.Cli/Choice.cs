using System.CommandLine;

namespace Dspt.Cli;

/// <summary>
/// Options that take one of a few words: checked when the command runs, so that another word is
/// bad input (exit code 2) whose message names the option, the word and the words it takes.
/// </summary>
internal static class Choice
{
    /// <summary>The option's value in lower case, which must be one of <paramref name="words"/>.</summary>
    public static string Of(ParseResult parse, Option<string> option, params string[] words)
    {
        string value = parse.GetValue(option)!.ToLowerInvariant();
        if (!words.Contains(value))
            throw new InvalidInputException($"{option.Name} {value}: expected {string.Join(", ", words[..^1])} or {words[^1]}");
        return value;
    }
}
