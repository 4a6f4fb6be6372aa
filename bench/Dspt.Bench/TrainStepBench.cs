using System.Diagnostics;
using System.Text.Json;
using Dspt.Clip;
using Dspt.Losses;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Text;
using Dspt.Training;
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

    /// <param name="Learner">coop, or cocoop (its defaults: 4 context vectors from "a photo of a",
    /// and a text encoding of all K prompts per image).</param>
    /// <param name="Only">The variants to run (null: all); plain is always run, as the baseline.</param>
    /// <param name="UntruncatedPerImage">CoCoOp: the variants without truncation (plain, share) take
    /// the batch one image at a time, each image's loss / B with its own backward, then one
    /// optimizer step: the same gradient (CoCoOp's logits of an image depend on that image alone)
    /// and the same work, with the activation memory of one image instead of B (plain at batch 4
    /// would keep about 4 x 4.6 GB).</param>
    public sealed record Settings(int Classes = 102, int Batch = 32, int Steps = 5, int Warmup = 1,
        string VocabPath = DefaultVocab, string NativeTuning = "not recorded", string Learner = "coop",
        IReadOnlyList<string>? Only = null, bool UntruncatedPerImage = false)
    {
        /// <summary>Checks what can be checked before any work (peak-memory children included) starts.</summary>
        public Settings Validated()
        {
            if (UntruncatedPerImage && Learner != "cocoop")
                throw new InvalidInputException("--untruncated-per-image: only for --learner cocoop (CoOp's prompts are shared by the batch's images)");
            VariantsToRun();
            return this;
        }

        public IReadOnlyList<string> VariantsToRun()
        {
            if (Only is null) return VariantNames;
            var unknown = Only.FirstOrDefault(v => !VariantNames.Contains(v));
            if (unknown is not null) throw new InvalidInputException($"--variants: unknown variant '{unknown}', expected some of: {string.Join(", ", VariantNames)}");
            return [.. VariantNames.Where(v => v == "plain" || Only.Contains(v))];
        }
    }

    public sealed record VariantResult(string Name, bool TruncateAtEot, bool SharePrefix, long TokensPerStep,
        double MedianMs, double MinMs, double Speedup, double GflopPerStep, double AchievedGflops,
        double PeakRssMb, double MinorFaultsPerStep, double MaxLossDeviation);

    public sealed record Result(string Learner, int Classes, int Batch, int NCtx, int Steps, int Warmup, int Threads,
        double MatmulGflops, string LoadAverageStart, string LoadAverageEnd, string NativeTuning,
        double BaselineRssMb, double PeakRssAllMb, double FloorGflop, IReadOnlyList<VariantResult> Variants, bool UntruncatedPerImage = false)
    {
        public double PlainMs => Variants.Single(v => v.Name == "plain").MedianMs;
        public double FastMs => Variants.SingleOrDefault(v => v.Name == "fast")?.MedianMs ?? double.NaN;
        public double Speedup => PlainMs / FastMs;
        public double FloorMs => FloorGflop / MatmulGflops * 1000;
        public double FloorRatio => FastMs / FloorMs;
        /// <summary>Peak RSS of a process running only the fast variant (see <see cref="PeakOf"/>).</summary>
        public double PeakRssMb => Variants.SingleOrDefault(v => v.Name == "fast")?.PeakRssMb ?? double.NaN;
    }

    static readonly (string Name, bool Truncate, bool Share)[] Variants =
        [("plain", false, false), ("truncate", true, false), ("share", false, true), ("fast", true, true)];

    public static IReadOnlyList<string> VariantNames { get; } = [.. Variants.Select(v => v.Name)];

    /// <summary>What a variant reports about its layout: CoOp's and CoCoOp's learners both have these.</summary>
    internal sealed record Layout(IPromptModel Model, int ContextCount, PromptOptions Options, PackedTextEncoder? Encoder, long EncodedTokens);

    internal static Layout LayoutOf(IPromptModel model) => model switch
    {
        PromptLearner l => new Layout(l, l.ContextCount, l.Options, l.Frame.Encoder, l.Frame.EncodedTokens),
        CoCoOpLearner c => new Layout(c, c.ContextCount, c.Options, c.Frame.Encoder, c.Frame.EncodedTokens),
        _ => throw new ArgumentException($"no layout for {model.Kind}"),
    };

    internal sealed class Runner(string name, IPromptModel learner, bool perImage = false) : IDisposable
    {
        // The trainer's optimizer (TorchSharp's SGD passes temporary Scalars to LibTorch).
        readonly MomentumSgdGroup optimizer = new(learner.Trainable.Select(t => t.Tensor), 0.002, momentum: 0.9, weightDecay: 5e-4);
        public string Name => name;
        public Layout Learner { get; } = LayoutOf(learner);
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
                optimizer.ZeroGrad();
                if (perImage)
                {
                    long b = image.shape[0];
                    using TorchSharp.Scalar batch = b;
                    value = 0;
                    for (long i = 0; i < b; i++)
                    {
                        using var inner = NewDisposeScope();
                        var part = loss.PerSample(learner.Forward(image.narrow(0, i, 1)).Logits, labels.narrow(0, i, 1)).sum().div(batch);
                        part.backward();
                        value += part.item<float>();
                    }
                }
                else
                {
                    var mean = loss.PerSample(learner.Forward(image).Logits, labels).mean();
                    mean.backward();
                    value = mean.item<float>();
                }
                optimizer.Step();
            }
            double ms = sw.Elapsed.TotalMilliseconds;
            if (!record) return;
            Ms.Add(ms);
            Losses.Add(value);
            MinorFaults += Measure.PageFaults().Minor - faultsBefore;
        }

        public void Dispose() { optimizer.Dispose(); learner.Dispose(); }
    }

    /// <summary>The model, prompts and batch every variant shares.</summary>
    sealed class Setup : IDisposable
    {
        public Setup(Settings settings)
        {
            if (settings.Classes < 1 || settings.Classes > FlowerNames.All.Count)
                throw new InvalidInputException($"--classes {settings.Classes}: expected 1..{FlowerNames.All.Count} (the Oxford Flowers names)");
            if (settings.Batch < 1 || settings.Steps < 1 || settings.Warmup < 0)
                throw new InvalidInputException("--batch-size and --steps must be at least 1, --warmup at least 0");
            Tokenizer = ClipTokenizer.Load(settings.VocabPath);
            Names = [.. FlowerNames.All.Take(settings.Classes)];
            if (settings.Learner is not ("coop" or "cocoop"))
                throw new InvalidInputException($"--learner {settings.Learner}: the train-step benchmark runs coop or cocoop (kgcoop's step is coop's plus a fixed-feature cosine)");
            Learner = settings.Learner;
            settings.Validated();
            PerImage = settings.UntruncatedPerImage;
            Options = Learner == "cocoop" ? new PromptOptions(new PromptLayout(NCtx: 4, CtxInit: "a photo of a")) : new PromptOptions();
            Tokens = PromptTokens.Create(Tokenizer, Names, Options, Config.ContextLength);
            Model = new ClipModel(Config);
            Model.InitializeParameters(seed: 0);
            Model.eval();
            var generator = new Generator(1);
            Image = randn([settings.Batch, Config.EmbedDim], generator: generator);
            Labels = randint(settings.Classes, [settings.Batch], generator: generator);
        }

        public string Learner { get; }
        public bool PerImage { get; }
        public PromptOptions Options { get; }
        public ClipTokenizer Tokenizer { get; }
        public IReadOnlyList<string> Names { get; }
        public PromptTokens Tokens { get; }
        public ClipModel Model { get; }
        public Tensor Image { get; }
        public Tensor Labels { get; }
        public IPromptLoss Loss { get; } = new CrossEntropyLoss();

        public Runner Make(string variant)
        {
            var v = Variants.Single(x => x.Name == variant);
            var options = Options with { TruncateAtEot = v.Truncate, SharePrefix = v.Share };
            return new Runner(v.Name, PromptTraining.CreateLearner(Model, Tokenizer, Names, options, seed: 1, learner: Learner),
                perImage: PerImage && !v.Truncate);
        }

        public void Step(Runner runner, bool record) => runner.Step(Image, Labels, Loss, record);

        public void Dispose() { Model.Dispose(); Image.Dispose(); Labels.Dispose(); Tokens.Tokens.Dispose(); }
    }

    /// <summary>
    /// Peak RSS (VmHWM, MB) of this process after setting up and running two steps of one
    /// variant: meant to run in a fresh process per variant, so that no other variant's memory
    /// (kept by the allocator after it is freed) counts. Includes the runtime and the model.
    /// </summary>
    public static double PeakOf(Settings settings, string variant)
    {
        if (!VariantNames.Contains(variant))
            throw new InvalidInputException($"unknown variant '{variant}', expected one of: {string.Join(", ", VariantNames)}");
        using var setup = new Setup(settings);
        using var runner = setup.Make(variant);
        for (int i = 0; i < 2; i++) setup.Step(runner, record: false);
        return Measure.PeakRssMb();
    }

    /// <param name="peakOf">Peak RSS in MB of a variant measured on its own (the CLI runs <see cref="PeakOf"/> in a child process); null: not measured (NaN).</param>
    public static Result Run(Settings settings, Func<string, double>? peakOf = null, Action<string>? log = null)
    {
        string loadStart = Measure.LoadAverage();
        var peaks = new Dictionary<string, double>();
        if (peakOf is not null)
            foreach (var name in settings.VariantsToRun())
            {
                peaks[name] = peakOf(name);
                log?.Invoke($"peak RSS {name} (own process): {peaks[name]:F0} MB");
            }

        using var setup = new Setup(settings);
        var tokens = setup.Tokens;
        double matmulStart = Measure.MatmulGflops();
        log?.Invoke($"matmul {matmulStart:F0} GFLOP/s, threads {get_num_threads()}, load {loadStart}");
        double baseline = Measure.RssMb();

        var runners = settings.VariantsToRun().Select(setup.Make).ToList();
        try
        {
            for (int round = 0; round < settings.Warmup + settings.Steps; round++)
            {
                bool record = round >= settings.Warmup;
                // Rotate the order every round so no variant always runs right after another.
                for (int j = 0; j < runners.Count; j++)
                    setup.Step(runners[(round + j) % runners.Count], record);
                if (record) log?.Invoke($"step {round - settings.Warmup + 1}/{settings.Steps}: " +
                    string.Join(", ", runners.Select(r => $"{r.Name} {r.Ms[^1]:F0} ms")));
            }
            double matmul = Math.Max(matmulStart, Measure.MatmulGflops());
            int prefix = 1 + runners[0].Learner.ContextCount;
            var eots = tokens.Tokens.argmax(-1).data<long>().Select(e => (int)e).ToList();
            // CoCoOp: every image has its own prompts, so everything per step scales with the batch.
            int perStep = setup.Learner == "cocoop" ? settings.Batch : 1;
            double floor = perStep * TrainStepFlops.Floor(Config, prefix, eots);
            var plain = runners.Single(r => r.Name == "plain");
            double plainMedian = Measure.Summarize(plain.Ms).MedianMs;
            var results = runners.Select(r =>
            {
                var t = Measure.Summarize(r.Ms);
                var learner = r.Learner;
                var packed = learner.Encoder;
                long length = Config.ContextLength;
                double flops = perStep * (packed is null
                    ? TrainStepFlops.Computed(Config, settings.Classes, settings.Classes * length, settings.Classes * length, settings.Classes * length * (length + 1) / 2)
                    : TrainStepFlops.Computed(Config, settings.Classes, packed.Rows, (long)packed.GroupCount * packed.Slots, packed.AttentionPairs));
                double deviation = r.Losses.Zip(plain.Losses, (a, b) => Math.Abs(a - b)).Max();
                return new VariantResult(r.Name, learner.Options.TruncateAtEot, learner.Options.SharePrefix,
                    perStep * learner.EncodedTokens, t.MedianMs, t.MinMs, plainMedian / t.MedianMs,
                    flops / 1e9, flops / 1e9 / (t.MedianMs / 1000), peaks.GetValueOrDefault(r.Name, double.NaN),
                    (double)r.MinorFaults / r.Ms.Count, deviation);
            }).ToList();
            return new Result(setup.Learner, settings.Classes, settings.Batch, runners[0].Learner.ContextCount, settings.Steps, settings.Warmup,
                get_num_threads(), matmul, loadStart, Measure.LoadAverage(), settings.NativeTuning,
                baseline, Measure.PeakRssMb(), floor / 1e9, results, settings.UntruncatedPerImage);
        }
        finally
        {
            foreach (var r in runners) r.Dispose();
        }
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
            $"{r.Learner}: K = {r.Classes} classes, batch {r.Batch}, M = {r.NCtx} context vectors; {r.Warmup} warm-up step(s) per variant, then {r.Steps} timed steps, variants interleaved",
            $"threads {r.Threads}, matmul {r.MatmulGflops:F0} GFLOP/s, load average {r.LoadAverageStart} -> {r.LoadAverageEnd}, {r.NativeTuning}" +
                (r.UntruncatedPerImage ? "; plain and share one image at a time, a backward per image" : ""),
            "",
            "| variant | token positions per step | median ms | min ms | speed-up vs plain | GFLOP/step | GFLOP/s | peak RSS MB | minor faults/step | max loss deviation |",
            "|---|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(r.Variants.Select(v =>
            $"| {v.Name} | {v.TokensPerStep} | {v.MedianMs:F0} | {v.MinMs:F0} | {v.Speedup:F2}x | {v.GflopPerStep:F1} | {v.AchievedGflops:F0} | {v.PeakRssMb:F0} | {v.MinorFaultsPerStep:F0} | {v.MaxLossDeviation:E1} |"));
        lines.Add("");
        lines.Add($"floor: {r.FloorGflop:F1} GFLOP / {r.MatmulGflops:F0} GFLOP/s = {r.FloorMs:F0} ms; fast / floor = {r.FloorRatio:F2}; " +
                  $"speed-up fast vs plain {r.Speedup:F2}x; RSS after loading the model {r.BaselineRssMb:F0} MB, peak of the whole run {r.PeakRssAllMb:F0} MB");
        return string.Join(Environment.NewLine, lines);
    }
}
