using System.CommandLine;
using Dspt.Bench;
using TorchSharp;

namespace Dspt.Cli.Commands;

/// <summary>`dspt bench train-step`: one CoOp training step on the text side, plain vs the exact speed-ups.</summary>
public static class BenchTrainStepCommand
{
    public static Command Create()
    {
        var classes = new Option<int>("--classes") { Description = "number of classes (Oxford Flowers names, 1..102)", DefaultValueFactory = _ => 102 };
        var batch = new Option<int>("--batch") { Description = "images per step (their features are given)", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "timed steps per variant", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps per variant before timing", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "torch threads (default: all cores)" };
        var vocab = new Option<string>("--vocab") { Description = "CLIP BPE vocabulary", DefaultValueFactory = _ => TrainStepBench.DefaultVocab };
        var noPeaks = new Option<bool>("--no-peaks") { Description = "skip the per-variant peak-memory runs" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("train-step", "One CoOp training step (text side, K classes, ViT-B/16-sized random text tower): plain vs truncation vs shared prefix")
        {
            classes, batch, steps, warmup, threads, vocab, noPeaks, json,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(threads) is int t) torch.set_num_threads(t);
            bool asJson = parse.GetValue(json);
            var settings = new TrainStepBench.Settings(parse.GetValue(classes), parse.GetValue(batch), parse.GetValue(steps),
                parse.GetValue(warmup), parse.GetValue(vocab)!, !parse.GetValue(noPeaks));
            var result = TrainStepBench.Run(settings, asJson ? error.WriteLine : output.WriteLine);
            output.WriteLine(asJson ? TrainStepBench.ToJson(result) : TrainStepBench.ToMarkdown(result));
            return 0;
        });
        return command;
    }
}
