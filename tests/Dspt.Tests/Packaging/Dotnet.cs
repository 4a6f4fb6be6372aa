using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Dspt.Tests.Packaging;

/// <summary>The `dotnet` CLI (or a built program) as a child process, as a user would run it.</summary>
public static class Dotnet
{
    /// <summary>The configuration these tests were built in: the packages are packed from that build.</summary>
    public static string Configuration { get; } =
        typeof(Dotnet).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static string Run(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunProgram(Host, workingDirectory, timeout, args);

    /// <summary>Runs a program, fails the test (with its output) unless it exits 0, returns its stdout.</summary>
    public static string RunProgram(string program, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        // The test host's MSBuild variables would make the child build part of this one.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} ran past {timeout}:\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout.ToString();
    }
}
