using Dspt.Cli;

return MallocTuning.RunTunedChildIfNeeded(args) ?? DsptCli.Run(args, Console.Out, Console.Error);
