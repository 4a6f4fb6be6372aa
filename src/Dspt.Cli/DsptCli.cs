using System.CommandLine;
using Dspt.Cli.Commands;

namespace Dspt.Cli;

/// <summary>
/// The command tree. Tests call <see cref="Run"/> in-process with their own writers.
/// Exit codes: 0 success, 1 unexpected failure, 2 bad input (the message says what and where).
/// </summary>
public static class DsptCli
{
    /// <param name="tuning">What Program applied before LibTorch loaded; null in-process (tests).</param>
    public static RootCommand Build(NativeTuning? tuning = null)
    {
        var root = new RootCommand("Dspt: prompt tuning of CLIP on noisy labels (DSPT and baselines)");
        foreach (var command in new[]
        {
            DemoCommand.Create(),
            VersionCommand.Create(tuning),
            BenchCommand.Create(tuning),
            WorldCommand.Create(),
            TokenizeCommand.Create(),
            InfoCommand.Create(),
            EncodeCommand.Create(),
            ClassifyCommand.Create(),
            PretrainCommand.Create(),
            DataCommand.Create(),
            TrainCommand.Create(),
            SweepCommand.Create(),
            ReportCommand.Create(),
            SuspectsCommand.Create(),
            EvalCommand.Create(),
            ExportCoOpCommand.Create(),
            ImportCoOpCommand.Create(),
        })
            root.Subcommands.Add(command);
        return root;
    }

    /// <summary>`--verbose` anywhere on the command line: an unexpected error prints its full trace.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "on an unexpected error, print the full trace (it is always written to a file)",
        Recursive = true,
    };

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, NativeTuning? tuning = null)
    {
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        string[] expanded = args;
        try
        {
            var root = Build(tuning);
            root.Options.Add(Verbose);
            root.Options.Add(ConfigFile.Create());
            // The built-in --version reads the entry assembly (a test host, in-process): say Dspt's.
            foreach (var option in root.Options.OfType<VersionOption>()) option.Action = new PrintVersion();
            root.Subcommands.Add(HelpCommand.Create(root));
            expanded = ConfigFile.Expand(root, args);
            return root.Parse(expanded).Invoke(config);
        }
        catch (InvalidInputException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("interrupted");
            return 130;
        }
        catch (Exception e)
        {
            string? trace = CrashReport.Write(e, args);
            stderr.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}" + (trace is null
                ? " (the trace could not be written to a file; run again with --verbose to see it)"
                : $" (full trace in {trace}; --verbose prints it)"));
            // --verbose typed, or set by a config file (which adds it as --verbose=true).
            if (expanded.Any(a => a is "--verbose" or "--verbose=true")) stderr.WriteLine(e);
            return 1;
        }
    }

    sealed class PrintVersion : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(DsptVersion.Dspt);
            return 0;
        }
    }
}
