using System.Diagnostics;
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

    /// <summary>The real `dspt` (dspt.dll is copied next to the tests) as a child process, its output redirected.</summary>
    public static ProcessStartInfo Process(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dspt.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    public static string Ok(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == 0, $"dspt {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }
}
