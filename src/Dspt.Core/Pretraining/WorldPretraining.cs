using System.Diagnostics;
using System.Text.Json;
using Dspt.Clip;
using Dspt.Demo;
using Dspt.Evaluation;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Text;
using Dspt.World;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Pretraining;

public sealed record WorldPretrainResult(int Steps, double FirstLoss, double LastLoss, double ZeroShotAccuracy, double Seconds, string WeightsPath);

/// <summary>
/// Pretrains the demo CLIP on world image-caption pairs and writes the bundle: float16 weights
/// (OpenAI names), the world's BPE vocabulary (the CLIP tokenizer's file format) and a manifest
/// with the exact command, seed and results. A checkpoint every few hundred steps makes the run
/// resumable to the same weights.
/// </summary>
public static class WorldPretraining
{
    public static WorldPretrainResult Run(string outDir, PretrainConfig config, string command, int renderThreads,
        Action<PretrainProgress>? progress, Action<string>? log, CancellationToken cancel)
    {
        Directory.CreateDirectory(outDir);
        string vocabPath = Path.Combine(outDir, DemoModel.VocabFile);
        BpeVocabularyBuilder.Write(vocabPath, WorldVocabulary.Words);
        var tokenizer = ClipTokenizer.Load(vocabPath);

        using var model = new ClipModel(DemoModel.Config(tokenizer.VocabSize));
        model.InitializeParameters(config.Seed);
        log?.Invoke($"model: {model.Config} ({model.ParameterCount():N0} parameters)");

        var batches = new PretrainBatches(WorldSpec.Pretraining, config.Seed, config.BatchSize);
        ContrastiveBatch BatchFor(int step)
        {
            using var b = batches.Batch(step, renderThreads);
            return new ContrastiveBatch(b.Images.alias(), tokenizer.TokenizeBatch(b.Captions, DemoModel.ContextLength));
        }

        string checkpoint = Path.Combine(outDir, "pretrain-checkpoint.safetensors");
        var trainer = new ContrastivePretrainer(model, config, BatchFor, checkpoint);
        int start = File.Exists(checkpoint) ? trainer.LoadCheckpoint(checkpoint) : 0;
        if (start > 0) log?.Invoke($"resuming from {checkpoint} at step {start}");
        var clock = Stopwatch.StartNew();
        var losses = trainer.Run(start, progress, cancel, log);

        double zeroShot = ZeroShotAccuracy(model, tokenizer, WorldTask.Shape());
        log?.Invoke($"zero-shot top-1 on the shape task (test split): {zeroShot:F1} %");

        string weights = Path.Combine(outDir, DemoModel.WeightsFile);
        var half = model.state_dict().ToDictionary(kv => kv.Key,
            kv => kv.Value.is_floating_point() ? kv.Value.to(ScalarType.Float16) : kv.Value);
        Safetensors.Save(weights, half, new Dictionary<string, string> { ["format"] = "pt", ["naming"] = "openai-clip state_dict", ["model"] = "dspt world clip" });
        foreach (var t in half.Values) t.Dispose();

        var result = new WorldPretrainResult(config.Steps, losses.FirstOrDefault(double.NaN), losses.LastOrDefault(double.NaN), zeroShot,
            clock.Elapsed.TotalSeconds, weights);
        var manifest = new
        {
            command,
            config,
            model = model.Config.ToString(),
            parameters = model.ParameterCount(),
            weights_sha256 = ContentHash.OfFile(weights),
            vocab_sha256 = ContentHash.OfFile(vocabPath),
            world_spec = WorldSpec.Pretraining,
            result,
            loss_every_100_steps = losses.Where((_, i) => i % 100 == 0 || i == losses.Count - 1).Select(l => Math.Round(l, 4)),
            dspt_version = DsptVersion.Dspt,
            torchsharp_version = DsptVersion.TorchSharp,
            threads = get_num_threads(),
            created_utc = DateTime.UtcNow.ToString("o"),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, DemoModel.ManifestFile), JsonSerializer.Serialize(manifest, Runs.RunManifest.Json));
        File.Delete(checkpoint);
        return result;
    }

    /// <summary>Top-1 (%) of "template with class name" prompts on a task's test split.</summary>
    public static double ZeroShotAccuracy(ClipModel model, ClipTokenizer tokenizer, WorldTask task)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var text = CoOpPrompts.ZeroShotFeatures(model, tokenizer, task.ClassNames, task.Template);
        long correct = 0;
        foreach (var chunk in task.Test.Chunk(256))
        {
            using var inner = NewDisposeScope();
            var images = WorldImages.ToClipTensor([.. chunk.Select(it => task.Render(it.Path))]);
            correct += TopOne.Hits(model.Logits(model.EncodeImage(images), text), tensor(chunk.Select(it => (long)it.Label).ToArray()));
        }
        return 100.0 * correct / task.Test.Count;
    }
}
