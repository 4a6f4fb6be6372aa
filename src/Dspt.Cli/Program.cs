using Dspt.Cli;

var tuning = NativeTuning.Apply();
return DsptCli.Run(args, Console.Out, Console.Error, tuning);
