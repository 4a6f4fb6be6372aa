using Dspt.Features;
using Dspt.Losses;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Tests.Prompting;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Tests.Training;

/// <summary>The trainer on CoOp's real prompt learner (vit-tiny, the coop-prompt fixture's 5 classes).</summary>
public class PromptLearnerTrainingTests
{
    static readonly CoOpFixture Fixture = CoOpFixture.Load("b_rand16_end");

    /// <summary>Image features near the classes' zero-shot text features, so there is something to learn.</summary>
    static Tensor Features(Dspt.Clip.ClipModel model, int n, out long[] labels)
    {
        using var _ = no_grad();
        var text = model.EncodeText(Fixture.Tensors["tokenized_prompts"]);
        labels = [.. Enumerable.Range(0, n).Select(i => (long)(i % Fixture.ClassNames.Count))];
        var noise = randn([n, text.shape[1]], generator: new TorchSharp.torch.Generator(3));
        return text[tensor(labels)] + 2 * noise * text.norm(1, keepdim: true).mean() / Math.Sqrt(text.shape[1]);
    }

    [Fact]
    public void ResumeIsBitExactAndTheSavedPromptReloads()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var x = Features(model, 24, out var labels);
        var config = new TrainConfig(3, BatchSize: 8, Seed: 1, LearningRate: 0.02);
        PromptTrainer Trainer(PromptLearner l) => new(TrainablePrompt.From(l), config, new LossObjective(LossRegistry.Create("dspt")), "fp");

        var full = new PromptLearner(model, Fixture.Tokens, Fixture.ClassNames, Fixture.Options, 1);
        var start = full.Context.detach().clone();
        using (var f = new CachedTrainingFeatures(x))
            Trainer(full).Train(f, labels);
        Assert.True((full.Context - start).abs().max().item<float>() > 1e-4, "training did not move the context");

        var interrupted = new PromptLearner(model, Fixture.Tokens, Fixture.ClassNames, Fixture.Options, 1);
        using (var f = new CachedTrainingFeatures(x))
            Assert.Throws<TrainingDivergedException>(() => new PromptTrainer(
                TrainablePrompt.From(interrupted) with { Logits = Stop(interrupted, afterCalls: 5) }, config,
                new LossObjective(LossRegistry.Create("dspt")), "fp").Train(f, labels, dir["ckpt.safetensors"]));
        var resumed = new PromptLearner(model, Fixture.Tokens, Fixture.ClassNames, Fixture.Options, 2);
        using (var checkpoint = TrainingCheckpoint.Load(dir["ckpt.safetensors"]))
        using (var f = new CachedTrainingFeatures(x))
        {
            Assert.Equal(1, checkpoint.CompletedEpochs);
            Trainer(resumed).Train(f, labels, dir["ckpt.safetensors"], checkpoint);
        }
        Assert.Equal(full.Context.bytes.ToArray(), resumed.Context.bytes.ToArray());

        PromptFile.Save(dir.Path, full.Context, PromptFile.Describe(full, "sha-of-vit-tiny"));
        var (ctx, info) = PromptFile.Load(dir.Path);
        Assert.Equal(Fixture.ClassNames, info.ClassNames);
        var reloaded = PromptFile.CreateLearner(ctx, info, model, "sha-of-vit-tiny", _ => Fixture.Tokens);
        using var _ = no_grad();
        Assert.Equal(full.Logits(x).bytes.ToArray(), reloaded.Logits(x).bytes.ToArray());
        Assert.Contains("sha256 other", Assert.Throws<InvalidInputException>(() =>
            PromptFile.CreateLearner(ctx, info, model, "other", _ => Fixture.Tokens)).Message);
    }

    /// <summary>Logits that turn NaN after some calls: a stand-in for a crash in the middle of epoch 2.</summary>
    static Func<Tensor, Tensor> Stop(PromptLearner learner, int afterCalls)
    {
        int calls = 0;
        return x => ++calls > afterCalls ? learner.Logits(x) * double.NaN : learner.Logits(x);
    }
}
