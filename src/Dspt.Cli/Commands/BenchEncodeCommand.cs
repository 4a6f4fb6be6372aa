using System.CommandLine;
using Dspt.Bench;
using TorchSharp;

namespace Dspt.Cli.Commands;

public static class BenchEncodeCommand
{
    public static Command Create()
    {
        var imageBatch = new Option<int>("--image-batch-size") { Description = "images per forward pass", DefaultValueFactory = _ => 16 };
        var textBatch = new Option<int>("--text-batch-size") { Description = "texts per forward pass", DefaultValueFactory = _ => 64 };
        var runs = new Option<int>("--runs") { Description = "timed runs per measurement after one warm-up run", DefaultValueFactory = _ => 5 };
        var threads = CommonOptions.Threads();
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("encode", "Image and text encoding throughput of random-weight ViT-B/16 and RN50 CLIPs")
        {
            imageBatch, textBatch, runs, threads, json,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            CommonOptions.ApplyThreads(parse, threads);
            bool asJson = parse.GetValue(json);
            var result = EncodeBench.Run(parse.GetValue(imageBatch), parse.GetValue(textBatch), parse.GetValue(runs),
                asJson ? null : output.WriteLine);
            output.WriteLine(asJson ? EncodeBench.ToJson(result) : EncodeBench.ToMarkdown(result));
            return 0;
        });
        return command;
    }
}
