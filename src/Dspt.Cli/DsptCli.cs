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

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, NativeTuning? tuning = null)
    {
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return Build(tuning).Parse(args).Invoke(config);
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
    }
}
