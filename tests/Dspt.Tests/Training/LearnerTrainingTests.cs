using Dspt.Features;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Tests.Prompting;
using Dspt.Text;
using Dspt.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Tests.Training;

/// <summary>
/// The trainer on every learner of the registry (vit-tiny, the prompt-learners fixture's 5
/// classes): every loss and objective trains every tensor of every learner, KgCoOp's penalty
/// reaches the update, and a run cancelled mid-epoch and resumed from its checkpoint ends with
/// the uninterrupted run's bits in every tensor and momentum buffer.
/// </summary>
public class LearnerTrainingTests
{
    static readonly string[] Names = ["dog", "golden retriever", "Boeing 737-800", "AnnualCrop", "bánh mì"];
    static readonly ClipTokenizer Tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));

    static IPromptModel Create(Dspt.Clip.ClipModel model, string learner, long seed = 1)
    {
        var d = LearnerRegistry.Defaults(learner);
        return LearnerRegistry.Create(learner, new LearnerSetup(model, Tokenizer, Names,
            new PromptOptions(new PromptLayout(d.NCtx, d.CtxInit)), "a photo of a {}.", seed));
    }

    /// <summary>Image features near the classes' zero-shot text features, so there is something to learn.</summary>
    static Tensor Features(Dspt.Clip.ClipModel model, int n, out long[] labels)
    {
        using var _ = no_grad();
        var text = model.EncodeText(CoOpPrompts.ZeroShot(Tokenizer, Names, "a photo of a {}.", 77));
        labels = [.. Enumerable.Range(0, n).Select(i => (long)((i * 3 + i / 5) % Names.Length))];
        var noise = randn([n, text.shape[1]], generator: new Generator(3));
        return text[tensor(labels)] + 2 * noise * text.norm(1, keepdim: true).mean() / Math.Sqrt(text.shape[1]);
    }

    static Dictionary<string, byte[]> Bytes(IPromptModel model) =>
        model.Trainable.ToDictionary(t => t.Name, t => t.Tensor.detach().contiguous().bytes.ToArray());

    public static TheoryData<string, string> LearnersAndLosses
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var learner in new[] { "coop", "cocoop", "kgcoop" })
                foreach (var loss in new[] { "ce", "dspt", "gce", "mae", "nlprompt" }) data.Add(learner, loss);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LearnersAndLosses))]
    public void EveryLossTrainsEveryTensorOfEveryLearner(string learner, string loss)
    {
        using var model = CoOpFixture.LoadModel();
        using var x = Features(model, 10, out var labels);
        using var prompt = Create(model, learner);
        var before = Bytes(prompt);
        using var features = new CachedTrainingFeatures(x.unsqueeze(1));
        var metrics = new PromptTrainer(prompt, new TrainConfig(2, BatchSize: 4, Seed: 1, LearningRate: 0.02, WarmupEpochs: 0),
            TrainingObjectives.Create(loss), "fp").Train(features, labels);
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.Loss), $"epoch {m.Epoch}: loss {m.Loss}"));
        foreach (var (name, bytes) in Bytes(prompt)) Assert.NotEqual(before[name], bytes);
        Assert.Equal(learner, prompt.Kind);
    }

    /// <summary>With the context moved off the hand-crafted prompt, W = 8 and W = 0 must train to different contexts.</summary>
    [Fact]
    public void KgCoOpsPenaltyReachesTheUpdate()
    {
        using var model = CoOpFixture.LoadModel();
        using var x = Features(model, 8, out var labels);
        byte[] Train(string learner)
        {
            using var prompt = Create(model, learner);
            using (no_grad()) prompt.Trainable[0].Tensor.add_(0.05 * randn(prompt.Trainable[0].Tensor.shape, generator: new Generator(4)));
            using var features = new CachedTrainingFeatures(x.unsqueeze(1));
            new PromptTrainer(prompt, new TrainConfig(1, BatchSize: 4, WarmupEpochs: 0), TrainingObjectives.Create("dspt"), "fp").Train(features, labels);
            return prompt.Trainable[0].Tensor.detach().bytes.ToArray();
        }
        Assert.NotEqual(Train("kgcoop:0"), Train("kgcoop"));
    }

    sealed class CancelAt(int epoch, int step, CancellationTokenSource source) : ITrainingProgress
    {
        public void Step(StepProgress s) { if (s.Epoch == epoch && s.Step == step) source.Cancel(); }
        public void EpochCompleted(EpochMetrics m, IReadOnlyList<EpochMetrics> all) { }
    }

    [Theory]
    [InlineData("coop")]
    [InlineData("cocoop")]
    [InlineData("kgcoop")]
    public void ResumeIsBitIdenticalForEveryLearner(string learner)
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var x = Features(model, 12, out var labels);
        var config = new TrainConfig(3, BatchSize: 4, Seed: 2, LearningRate: 0.02);
        PromptTrainer Trainer(IPromptModel p) => new(p, config, TrainingObjectives.Create("dspt"), "fp");

        using var full = Create(model, learner);
        using (var f = new CachedTrainingFeatures(x.unsqueeze(1)))
            Trainer(full).Train(f, labels, dir["full.safetensors"]);

        using var interrupted = Create(model, learner);
        using var cts = new CancellationTokenSource();
        using (var f = new CachedTrainingFeatures(x.unsqueeze(1)))
            Assert.ThrowsAny<OperationCanceledException>(() => Trainer(interrupted)
                .Train(f, labels, dir["ckpt.safetensors"], progress: new CancelAt(2, 2, cts), cancellation: cts.Token));

        using var resumed = Create(model, learner, seed: 7);   // another init: everything must come from the checkpoint
        using (var checkpoint = TrainingCheckpoint.Load(dir["ckpt.safetensors"]))
        using (var f = new CachedTrainingFeatures(x.unsqueeze(1)))
        {
            Assert.Equal(1, checkpoint.CompletedEpochs);
            Assert.Equal(full.Trainable.Select(t => t.Name).Order(), checkpoint.Momentum.Keys.Order());
            Trainer(resumed).Train(f, labels, dir["ckpt.safetensors"], checkpoint);
        }
        Assert.Equal(Bytes(full), Bytes(resumed));
        using var a = TrainingCheckpoint.Load(dir["full.safetensors"]);
        using var b = TrainingCheckpoint.Load(dir["ckpt.safetensors"]);
        foreach (var (name, m) in a.Momentum) Assert.Equal(m.bytes.ToArray(), b.Momentum[name].bytes.ToArray());
    }

    [Fact]
    public void RefusesACheckpointOfAnotherLearner()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var x = Features(model, 4, out var labels);
        using (var coop = Create(model, "coop"))
        using (var f = new CachedTrainingFeatures(x.unsqueeze(1)))
            new PromptTrainer(coop, new TrainConfig(1, BatchSize: 4), TrainingObjectives.Create("ce"), "fp").Train(f, labels, dir["c.safetensors"]);
        using var checkpoint = TrainingCheckpoint.Load(dir["c.safetensors"]);
        using var cocoop = Create(model, "cocoop");
        using var features = new CachedTrainingFeatures(x.unsqueeze(1));
        var e = Assert.Throws<InvalidInputException>(() =>
            new PromptTrainer(cocoop, new TrainConfig(2, BatchSize: 4), TrainingObjectives.Create("ce"), "fp").Train(features, labels, resume: checkpoint));
        Assert.Contains("the cocoop learner trains ctx, meta_net.linear1.bias", e.Message);
    }

    /// <summary>A checkpoint as dspt wrote it before named tensors (format v1: ctx, momentum_buffer) still resumes.</summary>
    [Fact]
    public void AVersion1CheckpointStillLoads()
    {
        using var dir = Repo.Temp();
        var ctx = randn(4, 8);
        var momentum = randn(4, 8);
        Dspt.IO.Safetensors.Save(dir["v1.safetensors"], new Dictionary<string, Tensor> { ["ctx"] = ctx, ["momentum_buffer"] = momentum },
            new Dictionary<string, string> { ["format"] = "dspt-training-checkpoint-v1", ["completed_epochs"] = "0", ["fingerprint"] = "fp", ["metrics"] = "[]" });
        using var checkpoint = TrainingCheckpoint.Load(dir["v1.safetensors"]);
        Assert.Equal(ctx.bytes.ToArray(), checkpoint.Context.bytes.ToArray());
        Assert.Equal(momentum.bytes.ToArray(), checkpoint.MomentumBuffer!.bytes.ToArray());
        var prompt = new TrainablePrompt(new Parameter(zeros(4, 8)), t => t);
        Assert.Equal(["ctx"], checkpoint.Tensors.Keys);
        Assert.Equal(prompt.Trainable.Select(t => t.Name), checkpoint.Tensors.Keys);
    }

    [Fact]
    public void TheDemoRefusesAnUnknownLearner()
    {
        var (code, _, stderr) = Cli.Run("demo", "--learners", "maple", "--quick");
        Assert.Equal(2, code);
        Assert.Contains("unknown learner 'maple'", stderr);
    }
}
