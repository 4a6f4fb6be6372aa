using System.Text.Json;
using Dspt.Clip;
using static TorchSharp.torch;

namespace Dspt.Bench;

/// <summary>
/// Image and text encoding throughput of random-weight ViT-B/16- and RN50-sized CLIPs, inference
/// mode, float32, with the achieved GFLOP/s against the matmul rate measured in the same run.
/// </summary>
public static class EncodeBench
{
    public sealed record Row(string Model, string Tower, int Batch, double MedianMs, double MinMs, double ItemsPerSecond,
        double GflopPerItem, double AchievedGflops, double FractionOfMatmul);

    public sealed record Result(int Threads, double MatmulGflops, string LoadAverage, IReadOnlyList<Row> Rows);

    public static readonly (string Name, ClipConfig Config)[] Models =
    [
        ("ViT-B/16", new ClipConfig(512, 224, [12], 768, 16, 77, 49408, 512, 8, 12)),
        ("RN50", new ClipConfig(1024, 224, [3, 4, 6, 3], 64, null, 77, 49408, 512, 8, 12)),
    ];

    public static Result Run(int imageBatch, int textBatch, int runs, Action<string>? log = null)
    {
        double matmul = Measure.MatmulGflops();
        log?.Invoke($"matmul rate: {matmul:F0} GFLOP/s");
        var rows = new List<Row>();
        using var _ = inference_mode();
        foreach (var (name, config) in Models)
        {
            using var model = new ClipModel(config);
            model.InitializeParameters(seed: 0);
            model.eval();
            using var images = randn(imageBatch, 3, config.ImageResolution, config.ImageResolution);
            // Realistic prompts: SOT, 8 tokens, EOT, padding; the tower runs all 77 positions like CLIP.
            using var tokens = zeros(textBatch, config.ContextLength, ScalarType.Int64);
            tokens[.., 0] = 49406; tokens[.., 1..9] = 320; tokens[.., 9] = 49407;

            var image = Measure.Time(() => { using var f = model.EncodeImage(images); }, warmup: 1, runs: runs);
            var text = Measure.Time(() => { using var f = model.EncodeText(tokens); }, warmup: 1, runs: runs);
            rows.Add(MakeRow(name, "image", imageBatch, image, ClipFlops.ImageForward(config), matmul));
            rows.Add(MakeRow(name, "text", textBatch, text, ClipFlops.TextForward(config, config.ContextLength), matmul));
            log?.Invoke($"{name}: image {rows[^2].ItemsPerSecond:F1}/s, text {rows[^1].ItemsPerSecond:F1}/s");
        }
        return new Result(get_num_threads(), matmul, Measure.LoadAverage(), rows);
    }

    static Row MakeRow(string model, string tower, int batch, Measure.Timing t, double flopsPerItem, double matmul)
    {
        double perSecond = batch / (t.MedianMs / 1000);
        double gflops = perSecond * flopsPerItem / 1e9;
        return new Row(model, tower, batch, t.MedianMs, t.MinMs, perSecond, flopsPerItem / 1e9, gflops, gflops / matmul);
    }

    public static string ToMarkdown(Result r)
    {
        var lines = new List<string>
        {
            $"threads {r.Threads}, matmul {r.MatmulGflops:F0} GFLOP/s, load average {r.LoadAverage}",
            "",
            "| model | tower | batch | median ms | min ms | items/s | GFLOP/item | GFLOP/s | of matmul rate |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(r.Rows.Select(x =>
            $"| {x.Model} | {x.Tower} | {x.Batch} | {x.MedianMs:F0} | {x.MinMs:F0} | {x.ItemsPerSecond:F1} | {x.GflopPerItem:F2} | {x.AchievedGflops:F0} | {x.FractionOfMatmul:P0} |"));
        return string.Join(Environment.NewLine, lines);
    }

    public static string ToJson(Result r) => JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true });
}
