using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Dspt.Tests;

/// <summary>What every command shares: unexpected errors, help, the version string.</summary>
public class CliBehaviourTests
{
    [Fact]
    public void AnUnexpectedErrorExitsOneWithOneLineAndTheTraceInAFile()
    {
        // The real program: before, this was an unhandled exception (exit 134, a .NET stack trace).
        var info = Cli.Process("world", "preview", "--out", "/proc/x");
        using var p = Process.Start(info)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(1, p.ExitCode);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var m = Regex.Match(line, @"^error: unexpected \w+: .*/proc/x.* \(full trace in (.+); --verbose prints it\)$");
        Assert.True(m.Success, line);
        string trace = m.Groups[1].Value;
        try
        {
            string text = File.ReadAllText(trace);
            Assert.Contains("arguments: world preview --out /proc/x", text);
            Assert.Contains("   at ", text);
        }
        finally { File.Delete(trace); }
    }

    [Fact]
    public void VerbosePrintsTheTrace()
    {
        var (code, _, err) = Cli.Run("world", "preview", "--out", "/proc/x", "--verbose");
        Assert.Equal(1, code);
        Assert.StartsWith("error: unexpected ", err);
        Assert.Contains("   at ", err);
        var m = Regex.Match(err, @"full trace in (.+?); --verbose");
        if (m.Success) File.Delete(m.Groups[1].Value);
    }

    [Fact]
    public void HelpListsTheCommandsAndDescribesOne()
    {
        var all = Cli.Ok("help");
        foreach (var command in new[] { "demo", "train", "eval", "classify", "help", "version" })
            Assert.Matches($@"(?m)^\s+{command}\b", all);
        var train = Cli.Ok("help", "train");
        Assert.Contains("--batch-size", train);
        Assert.Equal(Cli.Ok("train", "--help"), train);
        Assert.Contains("--out", Cli.Ok("help", "world", "preview"));

        var (code, _, err) = Cli.Run("help", "nope");
        Assert.Equal(2, code);
        Assert.Contains("'nope' is not a command", err);
        Assert.Contains("classify", err);
    }

    [Fact]
    public void OneVersionString()
    {
        string props = XDocument.Load(Path.Combine(Repo.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.Equal(props, DsptVersion.Dspt);
        Assert.StartsWith($"dspt {props} (TorchSharp 0.107.0,", Cli.Ok("version"));
        Assert.Equal(props, Cli.Ok("--version").Trim());
    }
}
