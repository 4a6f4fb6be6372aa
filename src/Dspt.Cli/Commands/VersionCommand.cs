using System.CommandLine;

namespace Dspt.Cli.Commands;

public static class VersionCommand
{
    public static Command Create(NativeTuning? tuning)
    {
        var command = new Command("version", "Print the Dspt and LibTorch versions");
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"dspt {DsptVersion.Dspt} (TorchSharp {DsptVersion.TorchSharp}, {TorchSharp.torch.get_num_threads()} threads, {NativeTuning.Describe(tuning)})");
            return 0;
        });
        return command;
    }
}
