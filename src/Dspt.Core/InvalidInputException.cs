namespace Dspt;

/// <summary>
/// Bad user input (a file, a field, an option). The message names what is wrong and what was
/// expected; the CLI prints it without a stack trace.
/// </summary>
public sealed class InvalidInputException : Exception
{
    public InvalidInputException(string message) : base(message) { }
    public InvalidInputException(string message, Exception inner) : base(message, inner) { }
}
