using System.Diagnostics;
using System.Text.Json;
using Dspt.Clip;
using Dspt.Losses;
using Dspt.Prompting;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Bench;

/// <summary>
/// One CoOp training step on the text side (image features given, as when they are cached):
/// prompts -> text tower -> logits for a batch -> CE -> backward -> SGD on the context, on a
/// random-weight ViT-B/16-sized text tower with the Oxford Flowers class names tokenized by the
/// real CLIP BPE. Variants (plain CoOp, + truncation, + shared prefix, both) run interleaved in
/// one process so they see the same machine state; they start from the same context and data,
/// so their losses must agree step by step (reported as a check that they do the same work).
/// </summary>
public static class TrainStepBench
{
    public const string DefaultVocab = "../shared/fixtures/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz";

    public static ClipConfig Config { get; } = new(
        EmbedDim: 512, ImageResolution: 32, VisionLayers: [1], VisionWidth: 64, VisionPatchSize: 16,
        ContextLength: 77, VocabSize: 49408, TransformerWidth: 512, TransformerHeads: 8, TransformerLayers: 12);

    public sealed record Settings(int Classes = 102, int Batch = 32, int Steps = 5, int Warmup = 1,
        string VocabPath = DefaultVocab, bool PerVariantPeaks = true);

    public sealed record VariantResult(string Name, bool TruncateAtEot, bool SharePrefix, long TokensPerClass,
        double MedianMs, double MinMs, double Speedup, double GflopPerStep, double AchievedGflops,
        double PeakRssMb, double MinorFaultsPerStep, double MaxLossDeviation);

    public sealed record Result(int Classes, int Batch, int NCtx, int Steps, int Warmup, int Threads,
        double MatmulGflops, string LoadAverageStart, string LoadAverageEnd, string? GlibcTunables,
        double BaselineRssMb, double PeakRssAllMb, double FloorGflop, IReadOnlyList<VariantResult> Variants)
    {
        public double PlainMs => Variants.Single(v => v.Name == "plain").MedianMs;
        public double FastMs => Variants.Single(v => v.Name == "fast").MedianMs;
        public double Speedup => PlainMs / FastMs;
        public double FloorMs => FloorGflop / MatmulGflops * 1000;
        public double FloorRatio => FastMs / FloorMs;
        /// <summary>Peak RSS of the fast variant (see <see cref="VariantResult.PeakRssMb"/>).</summary>
        public double PeakRssMb => Variants.Single(v => v.Name == "fast").PeakRssMb;
    }

    static readonly (string Name, bool Truncate, bool Share)[] Variants =
        [("plain", false, false), ("truncate", true, false), ("share", false, true), ("fast", true, true)];

    sealed class Runner(string name, PromptLearner learner) : IDisposable
    {
        readonly optim.Optimizer optimizer = optim.SGD(learner.parameters(), 0.002, momentum: 0.9, weight_decay: 5e-4);
        public string Name => name;
        public PromptLearner Learner => learner;
        public List<double> Ms { get; } = [];
        public List<double> Losses { get; } = [];
        public long MinorFaults { get; set; }

        public void Step(Tensor image, Tensor labels, IPromptLoss loss, bool record)
        {
            var (faultsBefore, _) = Measure.PageFaults();
            var sw = Stopwatch.StartNew();
            double value;
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var mean = loss.PerSample(learner.Logits(image), labels).mean();
                mean.backward();
                optimizer.step();
                value = mean.item<float>();
            }
            double ms = sw.Elapsed.TotalMilliseconds;
            if (!record) return;
            Ms.Add(ms);
            Losses.Add(value);
            MinorFaults += Measure.PageFaults().Minor - faultsBefore;
        }

        public void Dispose() { optimizer.Dispose(); learner.Dispose(); }
    }

    public static Result Run(Settings settings, Action<string>? log = null)
    {
        if (settings.Classes < 1 || settings.Classes > FlowerNames.All.Count)
            throw new InvalidInputException($"--classes {settings.Classes}: expected 1..{FlowerNames.All.Count} (the Oxford Flowers names)");
        if (settings.Batch < 1 || settings.Steps < 1 || settings.Warmup < 0)
            throw new InvalidInputException("--batch and --steps must be at least 1, --warmup at least 0");
        string loadStart = Measure.LoadAverage();
        var tokenizer = ClipTokenizer.Load(settings.VocabPath);
        var names = FlowerNames.All.Take(settings.Classes).ToList();
        var options = new PromptOptions();
        var tokens = PromptTokens.Create(tokenizer, names, options, Config.ContextLength);

        using var model = new ClipModel(Config);
        model.InitializeParameters(seed: 0);
        model.eval();
        var generator = new Generator(1);
        using var image = randn([settings.Batch, Config.EmbedDim], generator: generator);
        using var labels = randint(settings.Classes, [settings.Batch], generator: generator);
        var loss = new CrossEntropyLoss();
        Runner Make((string Name, bool Truncate, bool Share) v) =>
            new(v.Name, new PromptLearner(model, tokens, names, options with { TruncateAtEot = v.Truncate, SharePrefix = v.Share }, seed: 1));

        double matmulStart = Measure.MatmulGflops();
        log?.Invoke($"matmul {matmulStart:F0} GFLOP/s, threads {get_num_threads()}, load {loadStart}");
        double baseline = Measure.RssMb();

        // Peaks: each variant alone for two steps with the high-water mark reset before it, in
        // increasing order of memory, so memory the allocator kept from a previous variant is
        // less than what the next one needs.
        var peaks = new Dictionary<string, double>();
        if (settings.PerVariantPeaks)
        {
            foreach (var v in Variants.Reverse())
            {
                using var runner = Make(v);
                ResetPeakRss();
                for (int i = 0; i < 2; i++) runner.Step(image, labels, loss, record: false);
                peaks[v.Name] = Measure.PeakRssMb();
                log?.Invoke($"peak RSS {v.Name}: {peaks[v.Name]:F0} MB");
            }
        }

        var runners = Variants.Select(Make).ToList();
        try
        {
            for (int round = 0; round < settings.Warmup + settings.Steps; round++)
            {
                bool record = round >= settings.Warmup;
                // Rotate the order every round so no variant always runs right after another.
                for (int j = 0; j < runners.Count; j++)
                    runners[(round + j) % runners.Count].Step(image, labels, loss, record);
                if (record) log?.Invoke($"step {round - settings.Warmup + 1}/{settings.Steps}: " +
                    string.Join(", ", runners.Select(r => $"{r.Name} {r.Ms[^1]:F0} ms")));
            }
            double matmul = Math.Max(matmulStart, Measure.MatmulGflops());
            int prefix = 1 + runners[0].Learner.ContextCount;
            var eots = tokens.Tokens.argmax(-1).data<long>().Select(e => (int)e).ToList();
            double floor = TrainStepFlops.Floor(Config, prefix, eots);
            var plain = runners.Single(r => r.Name == "plain");
            double plainMedian = Measure.Summarize(plain.Ms).MedianMs;
            var results = runners.Select(r =>
            {
                var t = Measure.Summarize(r.Ms);
                var learner = r.Learner;
                int length = (int)learner.EncodedLength;
                double flops = TrainStepFlops.Computed(Config, settings.Classes, length, learner.UsesSharedPrefix ? prefix : 0);
                double deviation = r.Losses.Zip(plain.Losses, (a, b) => Math.Abs(a - b)).Max();
                return new VariantResult(r.Name, learner.Options.TruncateAtEot, learner.Options.SharePrefix,
                    learner.UsesSharedPrefix ? length - prefix : length, t.MedianMs, t.MinMs, plainMedian / t.MedianMs,
                    flops / 1e9, flops / 1e9 / (t.MedianMs / 1000), peaks.GetValueOrDefault(r.Name, double.NaN),
                    (double)r.MinorFaults / r.Ms.Count, deviation);
            }).ToList();
            return new Result(settings.Classes, settings.Batch, runners[0].Learner.ContextCount, settings.Steps, settings.Warmup,
                get_num_threads(), matmul, loadStart, Measure.LoadAverage(), Environment.GetEnvironmentVariable("GLIBC_TUNABLES"),
                baseline, Measure.PeakRssMb(), floor / 1e9, results);
        }
        finally
        {
            foreach (var r in runners) r.Dispose();
        }
    }

    /// <summary>Resets VmHWM to the current RSS (Linux: "5" to /proc/self/clear_refs); a no-op elsewhere.</summary>
    static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public static string ToJson(Result r) => JsonSerializer.Serialize(r, new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    });

    public static string ToMarkdown(Result r)
    {
        var lines = new List<string>
        {
            $"K = {r.Classes} classes, batch {r.Batch}, M = {r.NCtx} context vectors; {r.Warmup} warm-up step(s) per variant, then {r.Steps} timed steps, variants interleaved",
            $"threads {r.Threads}, matmul {r.MatmulGflops:F0} GFLOP/s, load average {r.LoadAverageStart} -> {r.LoadAverageEnd}, GLIBC_TUNABLES {r.GlibcTunables ?? "(unset)"}",
            "",
            "| variant | tokens per class | median ms | min ms | speed-up vs plain | GFLOP/step | GFLOP/s | peak RSS MB | minor faults/step | max loss deviation |",
            "|---|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(r.Variants.Select(v =>
            $"| {v.Name} | {v.TokensPerClass} | {v.MedianMs:F0} | {v.MinMs:F0} | {v.Speedup:F2}x | {v.GflopPerStep:F1} | {v.AchievedGflops:F0} | {v.PeakRssMb:F0} | {v.MinorFaultsPerStep:F0} | {v.MaxLossDeviation:E1} |"));
        lines.Add("");
        lines.Add($"floor: {r.FloorGflop:F1} GFLOP / {r.MatmulGflops:F0} GFLOP/s = {r.FloorMs:F0} ms; fast / floor = {r.FloorRatio:F2}; " +
                  $"speed-up fast vs plain {r.Speedup:F2}x; RSS after loading the model {r.BaselineRssMb:F0} MB, peak of the whole run {r.PeakRssAllMb:F0} MB");
        return string.Join(Environment.NewLine, lines);
    }
}
