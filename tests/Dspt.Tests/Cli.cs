using Dspt.Cli;

namespace Dspt.Tests;

/// <summary>Runs the CLI in-process and captures its output.</summary>
public static class Cli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = DsptCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static string Ok(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == 0, $"dspt {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }
}
