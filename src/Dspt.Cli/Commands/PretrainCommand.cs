using System.CommandLine;
using Dspt.Pretraining;

namespace Dspt.Cli.Commands;

public static class PretrainCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out", "-o") { Description = "output folder (weights, vocabulary, manifest)", DefaultValueFactory = _ => "runs/pretrain" };
        var overwrite = new Option<bool>("--overwrite") { Description = "replace a finished model in --out (e.g. the bundled assets/demo)" };
        var steps = new Option<int>("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => new PretrainConfig().Steps };
        var batch = new Option<int>("--batch-size") { Description = "image-caption pairs per step", DefaultValueFactory = _ => new PretrainConfig().BatchSize };
        var lr = new Option<double>("--lr") { Description = "AdamW peak learning rate", DefaultValueFactory = _ => new PretrainConfig().LearningRate };
        var seed = new Option<long>("--seed") { Description = "seed for initialisation and the world's batches", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var command = new Command("pretrain", "Contrastively pretrain the built-in demo's small CLIP on the procedural world (resumable: rerun the same command)")
        {
            outDir, overwrite, steps, batch, lr, seed, threads,
        };
        command.SetAction((parse, cancel) =>
        {
            CommonOptions.ApplyThreads(parse, threads);
            var output = parse.InvocationConfiguration.Output;
            var log = parse.InvocationConfiguration.Error;
            var config = new PretrainConfig(Steps: parse.GetValue(steps), BatchSize: parse.GetValue(batch),
                LearningRate: parse.GetValue(lr), Seed: parse.GetValue(seed));
            CommonOptions.AtLeast(steps.Name, config.Steps, 1);
            CommonOptions.AtLeast(batch.Name, config.BatchSize, 2);
            string folder = parse.GetValue(outDir)!;
            // A finished model without a checkpoint to resume is a result (the bundled one, say): never replaced by accident.
            if (File.Exists(Path.Combine(folder, Dspt.Demo.DemoModel.WeightsFile)) && !File.Exists(Path.Combine(folder, "pretrain-checkpoint.safetensors"))
                && !parse.GetValue(overwrite))
                throw new InvalidInputException($"pretrain: {folder} already holds a finished model ({Dspt.Demo.DemoModel.WeightsFile}); "
                    + "choose another --out or pass --overwrite to replace it");
            string cmd = "dspt " + string.Join(" ", parse.Tokens.Select(t => t.Value));
            var result = WorldPretraining.Run(folder, config, cmd, renderThreads: 1,
                p =>
                {
                    if (p.Step % 10 == 0 || p.Step == p.Steps)
                        log.WriteLine($"step {p.Step}/{p.Steps} loss {p.Loss:F3} lr {p.LearningRate:E2} scale {p.LogitScale:F1} " +
                                         $"{p.SecondsPerStep:F2} s/step ETA {TimeSpan.FromSeconds(p.SecondsPerStep * (p.Steps - p.Step)):hh\\:mm\\:ss}");
                },
                log.WriteLine, cancel);
            output.WriteLine($"wrote {result.WeightsPath}: loss {result.FirstLoss:F3} -> {result.LastLoss:F3}, zero-shot {result.ZeroShotAccuracy:F1} %, {result.Seconds / 60:F1} min");
            return Task.FromResult(0);
        });
        return command;
    }
}
