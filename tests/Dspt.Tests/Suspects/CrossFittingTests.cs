using Dspt.Features;
using Dspt.Prompting;
using Dspt.Suspects;
using Dspt.Tests.Prompting;
using Dspt.Tests.Training;
using Dspt.Text;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Tests.Suspects;

/// <summary>Cross-fitting on CoOp's real prompt learner (vit-tiny, 5 classes) with features that record who asked for them.</summary>
[Trait("Category", "Slow")]
public class CrossFittingTests
{
    /// <summary>Records, per fold, the (global) samples whose features training gathered.</summary>
    sealed class RecordingFeatures(ITrainingFeatures inner) : ITrainingFeatures
    {
        public int Fold { get; set; } = int.MinValue;
        public Dictionary<int, HashSet<int>> Seen { get; } = [];
        public int Count => inner.Count;
        public int Views => inner.Views;

        public Tensor Gather(IReadOnlyList<int> indices, IReadOnlyList<int> views, Device device)
        {
            if (!Seen.TryGetValue(Fold, out var seen)) Seen[Fold] = seen = [];
            seen.UnionWith(indices);
            return inner.Gather(indices, views, device);
        }
    }

    /// <summary>Image features near the classes' zero-shot text features (a learnable task).</summary>
    static Tensor Features(Dspt.Clip.ClipModel model, CoOpFixture fixture, int[] labels)
    {
        using var _ = no_grad();
        var text = model.EncodeText(fixture.Tensors["tokenized_prompts"]);
        var noise = randn([labels.Length, text.shape[1]], generator: new Generator(5));
        return text[tensor(labels.Select(l => (long)l).ToArray())] + noise * text.norm(1, keepdim: true).mean() / Math.Sqrt(text.shape[1]);
    }

    [Fact]
    public void No_sample_is_scored_by_a_prompt_whose_training_saw_it()
    {
        var fixture = CoOpFixture.Load("b_rand16_end");
        using var model = CoOpFixture.LoadModel();
        var tokenizer = ClipTokenizer.Load(TinyDataset.Vocab);
        int n = 30;
        var labels = Enumerable.Range(0, n).Select(i => i % fixture.ClassNames.Count).ToArray();
        using var x = Features(model, fixture, labels);
        var setup = new PromptSetup(model, tokenizer, fixture.ClassNames, new PromptOptions(new PromptLayout(4)),
            new TrainConfig(2, BatchSize: 4, Seed: 1, LearningRate: 0.02), "dspt", 1, CPU);
        var folds = StratifiedFolds.Assign(labels, 3, seed: 1);
        using var cached = new CachedTrainingFeatures(x);
        var recording = new RecordingFeatures(cached);
        var scored = new List<(int Fold, int Train, int HeldOut)>();
        var probs = PromptScorer.CrossFit(setup, recording, x, labels, folds, (f, train, heldOut) =>
        {
            recording.Fold = f;
            scored.Add((f, train, heldOut));
        });

        Assert.Equal([0, 1, 2], scored.Select(s => s.Fold));
        for (int f = 0; f < 3; f++)
        {
            var heldOut = Enumerable.Range(0, n).Where(i => folds[i] == f).ToHashSet();
            Assert.Empty(recording.Seen[f].Intersect(heldOut));
            // It trained on every other sample (each epoch touches all of them with batch 4 and 20 samples).
            Assert.Equal(Enumerable.Range(0, n).Where(i => folds[i] != f).ToHashSet(), recording.Seen[f]);
            Assert.Equal((n - heldOut.Count, heldOut.Count), (scored[f].Train, scored[f].HeldOut));
        }
        Assert.All(probs, p => Assert.Equal(1.0, p.Sum(), 9));

        // The in-sample reference does see every sample it scores.
        recording.Fold = -1;
        var inSample = PromptScorer.InSample(setup, recording, x, labels, "ce");
        Assert.Equal(Enumerable.Range(0, n).ToHashSet(), recording.Seen[-1]);
        Assert.Equal(n, inSample.Length);
    }

    /// <summary>The same guarantee for every learner: CoCoOp's meta-net and KgCoOp's guide are trained on the other folds only.</summary>
    [Theory]
    [InlineData("cocoop")]
    [InlineData("kgcoop")]
    public void Every_learner_cross_fits_without_seeing_the_held_out_fold(string learner)
    {
        var fixture = CoOpFixture.Load("b_rand16_end");
        using var model = CoOpFixture.LoadModel();
        int n = 12;
        var labels = Enumerable.Range(0, n).Select(i => i % fixture.ClassNames.Count).ToArray();
        using var x = Features(model, fixture, labels);
        var setup = new PromptSetup(model, ClipTokenizer.Load(TinyDataset.Vocab), fixture.ClassNames, new PromptOptions(new PromptLayout(4)),
            new TrainConfig(1, BatchSize: 2, Seed: 1, WarmupEpochs: 0, LearningRate: 0.02), "dspt", 1, CPU, learner);
        var folds = StratifiedFolds.Assign(labels, 2, seed: 1);
        using var cached = new CachedTrainingFeatures(x);
        var recording = new RecordingFeatures(cached);
        var probs = PromptScorer.CrossFit(setup, recording, x, labels, folds, (f, _, _) => recording.Fold = f);
        for (int f = 0; f < 2; f++)
            Assert.Equal(Enumerable.Range(0, n).Where(i => folds[i] != f).ToHashSet(), recording.Seen[f]);
        Assert.All(probs, p => Assert.Equal(1.0, p.Sum(), 9));
        // Another learner gives other probabilities: the name reached the learner.
        var coop = PromptScorer.CrossFit(setup with { Learner = "coop" }, cached, x, labels, folds);
        Assert.NotEqual(coop.SelectMany(p => p), probs.SelectMany(p => p));
    }

    [Theory]
    [InlineData("ce")]
    [InlineData("gce")]
    [InlineData("mae")]
    [InlineData("nlprompt")]
    public void Every_loss_and_NLPrompt_cross_fit(string objective)
    {
        var fixture = CoOpFixture.Load("b_rand16_end");
        using var model = CoOpFixture.LoadModel();
        var labels = Enumerable.Range(0, 20).Select(i => i % fixture.ClassNames.Count).ToArray();
        using var x = Features(model, fixture, labels);
        var setup = new PromptSetup(model, ClipTokenizer.Load(TinyDataset.Vocab), fixture.ClassNames, new PromptOptions(new PromptLayout(4)),
            new TrainConfig(1, BatchSize: 4, Seed: 1, WarmupEpochs: 0, LearningRate: 0.02), objective, 1, CPU);
        using var features = new CachedTrainingFeatures(x);
        var probs = PromptScorer.CrossFit(setup, features, x, labels, StratifiedFolds.Assign(labels, 2, 1));
        Assert.All(probs, p => Assert.Equal(1.0, p.Sum(), 9));
    }
}
