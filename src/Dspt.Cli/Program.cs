using System.CommandLine;
using Dspt.Cli;

return DsptCli.Run(args, Console.Out, Console.Error);
