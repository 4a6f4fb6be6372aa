using System.Text.Json.Nodes;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>Saved prompts of every learner: round trips, the sidecar's learner record, and files written before learners existed.</summary>
public class PromptFileLearnerTests
{
    static readonly string[] Names = ["dog", "golden retriever", "Boeing 737-800", "AnnualCrop", "bánh mì"];
    static readonly ClipTokenizer Tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));

    static IPromptModel Create(Dspt.Clip.ClipModel model, string learner)
    {
        var d = LearnerRegistry.Defaults(learner);
        var prompt = LearnerRegistry.Create(learner, new LearnerSetup(model, Tokenizer, Names, new PromptOptions(new PromptLayout(d.NCtx, d.CtxInit)), "a photo of a {}, a type of thing.", 5));
        using (no_grad())
            foreach (var (_, p) in prompt.Trainable) p.add_(0.01 * randn(p.shape, generator: new Generator(9)));   // trained-looking values
        return prompt;
    }

    [Theory]
    [InlineData("coop")]
    [InlineData("cocoop")]
    [InlineData("kgcoop:2.5")]
    public void EveryLearnerRoundTripsToTheSameLogits(string learner)
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var prompt = Create(model, learner);
        PromptFile.Save(dir.Path, prompt, PromptFile.Describe(prompt, "sha-tiny", new JsonObject { ["note"] = "test" }));
        var (tensors, info) = PromptFile.Read(dir.Path);
        Assert.Equal(LearnerRegistry.Kind(learner), info.Learner);
        Assert.Equal(info.Learner == "coop" ? PromptFile.FormatV1 : PromptFile.Format, info.Format);
        Assert.Equal(prompt.Trainable.Select(t => t.Name).Order(), tensors.Keys.Order());
        using var reloaded = PromptFile.CreateModel(tensors, info, model, "sha-tiny", Tokenizer);
        Assert.Equal(learner, info.LearnerName);
        var x = randn([3, 64], generator: new Generator(2));
        using var _ = no_grad();
        var expected = prompt.Forward(x);
        var actual = reloaded.Forward(x);
        Assert.Equal(expected.Logits.bytes.ToArray(), actual.Logits.bytes.ToArray());
        if (expected.Penalty is not null) Assert.Equal(expected.Penalty.bytes.ToArray(), actual.Penalty!.bytes.ToArray());
        if (info.Learner != "coop")
            Assert.Contains($"a {info.Learner} prompt, not CoOp's", Assert.Throws<InvalidInputException>(() => PromptFile.Load(dir.Path)).Message);
    }

    /// <summary>
    /// prompt.json / prompt.safetensors exactly as dspt wrote them before this change (format
    /// v1, no learner field): still read, as CoOp, and evaluate to the numbers of a CoOp
    /// learner holding the same context.
    /// </summary>
    [Fact]
    public void AVersion1PromptStillLoadsAndEvaluatesTheSame()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        var ctx = 0.02f * randn([4, 128], generator: new Generator(3));
        Safetensors.Save(dir["prompt.safetensors"], new Dictionary<string, Tensor> { ["ctx"] = ctx },
            new Dictionary<string, string> { ["format"] = "dspt-prompt-v1", ["model_sha256"] = "sha-tiny" });
        File.WriteAllText(dir["prompt.json"], """
            {
              "model_sha256": "sha-tiny",
              "model_architecture": "ViT-32/8",
              "class_names": ["dog", "golden retriever", "Boeing 737-800", "AnnualCrop", "bánh mì"],
              "n_ctx": 4,
              "ctx_init": null,
              "class_specific": false,
              "position": "end",
              "training": null,
              "format": "dspt-prompt-v1"
            }
            """);
        var (tensors, info) = PromptFile.Read(dir.Path);
        Assert.Equal("coop", info.Learner);
        using var reloaded = PromptFile.CreateModel(tensors, info, model, "sha-tiny", Tokenizer);
        using var reference = new PromptLearner(model, Tokenizer, Names, new PromptOptions(new PromptLayout(NCtx: 4)), seed: 0);
        using (no_grad()) reference.Context.copy_(ctx);
        var x = randn([3, 64], generator: new Generator(2));
        using var _ = no_grad();
        Assert.Equal(reference.Logits(x).bytes.ToArray(), reloaded.Forward(x).Logits.bytes.ToArray());
        var (context, coopInfo) = PromptFile.Load(dir.Path);
        Assert.Equal(ctx.bytes.ToArray(), context.bytes.ToArray());
        Assert.Equal(Names, coopInfo.ClassNames);
    }

    [Fact]
    public void AMissingOrExtraTensorIsNamed()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var prompt = Create(model, "cocoop");
        PromptFile.Save(dir.Path, prompt, PromptFile.Describe(prompt, "sha-tiny"));
        var (tensors, info) = PromptFile.Read(dir.Path);
        tensors.Remove("meta_net.linear2.bias");
        var e = Assert.Throws<InvalidInputException>(() => PromptFile.CreateModel(tensors, info, model, "sha-tiny", Tokenizer, source: "p"));
        Assert.Contains("the cocoop learner has", e.Message);
        Assert.Contains("'meta_net.linear2.bias'", e.Message);
    }
}

/// <summary>Base-to-new: a prompt trained on some classes applied to others.</summary>
public class PromptTransferTests
{
    static readonly string[] Base = ["dog", "golden retriever", "Boeing 737-800"];
    static readonly string[] New = ["AnnualCrop", "bánh mì"];
    static readonly ClipTokenizer Tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));

    /// <summary>On the new classes every learner computes what a learner built for them with the same tensors computes.</summary>
    [Theory]
    [InlineData("coop")]
    [InlineData("cocoop")]
    [InlineData("kgcoop")]
    public void AUnifiedPromptTransfersToNewClasses(string learner)
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        var d = LearnerRegistry.Defaults(learner);
        var options = new PromptOptions(new PromptLayout(d.NCtx, d.CtxInit));
        using var trained = LearnerRegistry.Create(learner, new LearnerSetup(model, Tokenizer, Base, options, "a photo of a {}.", 5));
        using (no_grad())
            foreach (var (_, p) in trained.Trainable) p.add_(0.01 * randn(p.shape, generator: new Generator(9)));
        PromptFile.Save(dir.Path, trained, PromptFile.Describe(trained, "sha"));
        var (tensors, info) = PromptFile.Read(dir.Path);
        using var transferred = PromptFile.CreateModel(tensors, info, model, "sha", Tokenizer, classNames: New);
        using var reference = LearnerRegistry.Create(learner, new LearnerSetup(model, Tokenizer, New, options, "a photo of a {}.", 6));
        reference.LoadTrainable(trained.Trainable.ToDictionary(t => t.Name, t => (Tensor)t.Tensor), "trained");
        var x = randn([3, 64], generator: new Generator(2));
        using var _ = no_grad();
        var logits = transferred.Forward(x).Logits;
        Assert.Equal(new long[] { 3, New.Length }, logits.shape);
        Assert.Equal(reference.Forward(x).Logits.bytes.ToArray(), logits.bytes.ToArray());
    }

    [Fact]
    public void AClassSpecificContextCannotTransfer()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var trained = new PromptLearner(model, Tokenizer, Base, new PromptOptions(new PromptLayout(NCtx: 4, ClassSpecific: true)), 1);
        PromptFile.Save(dir.Path, trained, PromptFile.Describe(trained, "sha"));
        var (tensors, info) = PromptFile.Read(dir.Path);
        var e = Assert.Throws<InvalidInputException>(() => PromptFile.CreateModel(tensors, info, model, "sha", Tokenizer, source: "p", classNames: New));
        Assert.Contains("p: a class-specific context", e.Message);
        Assert.Contains("cannot be applied to other classes", e.Message);
    }

    [Theory]
    [InlineData(80, 60, 68.571428571428569)]
    [InlineData(0, 50, 0)]
    [InlineData(0, 0, 0)]
    public void HarmonicMeanIsTwoBNOverBPlusN(double b, double n, double hm) =>
        Assert.Equal(hm, Dspt.Evaluation.BaseToNew.HarmonicMean(b, n), 12);
}
