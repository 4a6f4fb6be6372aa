using System.CommandLine;

namespace Dspt.Cli.Commands;

/// <summary>`dspt bench ...`: speed and memory measurements that print ratios against a baseline measured in the same run.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks (see docs/benchmarks.md)");
        command.Subcommands.Add(BenchEncodeCommand.Create());
        command.Subcommands.Add(BenchTrainStepCommand.Create());
        return command;
    }
}
