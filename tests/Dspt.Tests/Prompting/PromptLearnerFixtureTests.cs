using Dspt.Losses;
using Dspt.Prompting;
using Dspt.Tests.Clip;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// Every case of shared/fixtures/coop-prompt (CoOp's own PromptLearner/TextEncoder/CustomCLIP on
/// vit-tiny), with each speed-up off and on.
/// Tolerances: the manifest's float64-vs-float32 study is the spread float32 reassociation
/// produces; we allow about 20x its largest entry over the cases (as the manifest's suggestions
/// do): text features 6e-5, logits and grad_ctx 1e-4 (grad_ctx also rtol 1e-3, magnitudes O(1)),
/// mean losses 2e-5, per-sample losses 6e-5 (largest deviation 3.2e-6), grad_logits 3e-6
/// (largest 1.5e-7). Token buffers and prompts are copies of embedding rows: exact.
/// </summary>
public class PromptLearnerFixtureTests
{
    public enum SpeedUp { Plain, Truncate, SharePrefix, Both }

    static PromptOptions With(PromptOptions options, SpeedUp speedUp) => options with
    {
        TruncateAtEot = speedUp is SpeedUp.Truncate or SpeedUp.Both,
        SharePrefix = speedUp is SpeedUp.SharePrefix or SpeedUp.Both,
    };

    /// <summary>The fixture's "mae" is the full L1 distance, 2 (1 - p_y).</summary>
    internal static IPromptLoss FixtureLoss(string name) => LossRegistry.Create(name == "mae" ? "mae:2" : name);

    public static TheoryData<string> Cases => [.. CoOpFixture.CaseNames()];

    public static TheoryData<string, SpeedUp> CasesAndSpeedUps
    {
        get
        {
            var data = new TheoryData<string, SpeedUp>();
            foreach (var name in CoOpFixture.CaseNames())
                foreach (var speedUp in Enum.GetValues<SpeedUp>()) data.Add(name, speedUp);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BuffersAndPromptsAreCoOps(string name)
    {
        var fx = CoOpFixture.Load(name);
        using var model = CoOpFixture.LoadModel();
        using var learner = fx.Learner(model, fx.Options);
        var state = learner.state_dict();
        Assert.Equal(["ctx", "token_prefix", "token_suffix"], state.Keys.Order());
        Assert.Equal(["ctx"], learner.named_parameters().Select(p => p.name));
        TensorAssert.Close(fx.Tensors["token_prefix"], state["token_prefix"], 0, 0, "token_prefix");
        TensorAssert.Close(fx.Tensors["token_suffix"], state["token_suffix"], 0, 0, "token_suffix");
        using (no_grad())
            TensorAssert.Close(fx.Tensors["prompts"], learner.Prompts(), 0, 0, "prompts");
    }

    /// <summary>The real CLIP BPE gives the fixture's tokenized_prompts and name_lens, and the tokenizer constructor the same buffers.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void TokenizesPromptsAsCoOp(string name)
    {
        var fx = CoOpFixture.Load(name);
        var tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));
        var tokens = PromptTokens.Create(tokenizer, fx.ClassNames, fx.Options, 77);
        Assert.Equal(fx.Tensors["tokenized_prompts"].shape, tokens.Tokens.shape);
        Assert.Equal(fx.Tensors["tokenized_prompts"].data<long>().ToArray(), tokens.Tokens.data<long>().ToArray());
        Assert.Equal(fx.Tensors["name_lens"].data<long>().ToArray(), tokens.NameLengths.Select(n => (long)n));
        using var model = CoOpFixture.LoadModel();
        using var learner = new PromptLearner(model, tokenizer, fx.ClassNames, fx.Options, fx.InitSeed ?? 0);
        TensorAssert.Close(fx.Tensors["token_suffix"], learner.CoOpState()["token_suffix"], 0, 0, "token_suffix");
        TensorAssert.Close(fx.Tensors["ctx_init"], learner.Context, 0, 0, "initial ctx");
    }

    [Fact]
    public void APromptThatDoesNotFitNamesItsClass()
    {
        var tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));
        string longName = string.Join("_", Enumerable.Repeat("word", 70));
        var e = Assert.Throws<InvalidInputException>(() => PromptTokens.Create(tokenizer, ["dog", longName], new PromptOptions(), 77));
        Assert.Contains($"class '{longName}': its prompt does not fit", e.Message);
        Assert.Contains("too long for context length 77", e.Message);
    }

    [Fact]
    public void InitPhraseContextIsItsTokenEmbeddings()
    {
        var fx = CoOpFixture.Load("a_ctxinit_end");
        using var model = CoOpFixture.LoadModel();
        using var learner = new PromptLearner(model, fx.Tokens, fx.ClassNames, fx.Options, seed: 99);
        Assert.Equal(4, learner.ContextCount);
        TensorAssert.Close(fx.Tensors["ctx_init"], learner.Context, 0, 0, "ctx from 'a photo of a'");
    }

    /// <summary>
    /// CoOp draws the random context with nn.init.normal_(std=0.02) right after
    /// torch.manual_seed(init_seed); a CPU generator with the same seed draws the same numbers
    /// (same mt19937 and normal sampler in LibTorch), so seeded runs start where CoOp's do.
    /// </summary>
    [Theory]
    [InlineData("b_rand16_end")]
    [InlineData("c_rand16_middle")]
    [InlineData("d_rand16_front")]
    [InlineData("e_csc_rand4_end")]
    public void RandomContextDrawsCoOpsNumbersForTheSameSeed(string name)
    {
        var fx = CoOpFixture.Load(name);
        using var model = CoOpFixture.LoadModel();
        using var learner = new PromptLearner(model, fx.Tokens, fx.ClassNames, fx.Options, fx.InitSeed!.Value);
        TensorAssert.Close(fx.Tensors["ctx_init"], learner.Context, 0, 0, "seeded ctx");
        using var other = new PromptLearner(model, fx.Tokens, fx.ClassNames, fx.Options, fx.InitSeed!.Value + 1);
        Assert.False(other.Context.allclose(learner.Context));
    }

    [Theory]
    [MemberData(nameof(CasesAndSpeedUps))]
    [Trait("Category", "Slow")]
    public void MatchesCoOpForEveryLoss(string name, SpeedUp speedUp)
    {
        var fx = CoOpFixture.Load(name);
        using var model = CoOpFixture.LoadModel();
        var options = With(fx.Options, speedUp);
        using var learner = fx.Learner(model, options);
        bool shares = options.SharePrefix && !options.ClassSpecific && options.Position == ClassTokenPosition.End;
        Assert.Equal(shares, learner.UsesSharedPrefix);
        var t = fx.Tensors;
        var labels = t["labels"];

        using (no_grad())
            TensorAssert.Close(t["text_features"], learner.TextFeatures(), 6e-5, 1e-4, "text_features");
        foreach (var lossName in CoOpFixture.Losses)
        {
            var loss = FixtureLoss(lossName);
            var logits = learner.Logits(t["image_features"]);
            TensorAssert.Close(t["logits"], logits, 1e-4, 1e-4, "logits");
            var perSample = loss.PerSample(logits, labels);
            var mean = perSample.mean();
            var grads = torch.autograd.grad([mean], [logits, learner.Context]);
            TensorAssert.Close(t[$"per_sample_loss.{lossName}"], perSample, 6e-5, 1e-4, $"per_sample_loss.{lossName}");
            TensorAssert.Close(t[$"loss.{lossName}"], mean, 2e-5, 1e-4, $"loss.{lossName}");
            TensorAssert.Close(t[$"grad_logits.{lossName}"], grads[0], 3e-6, 1e-4, $"grad_logits.{lossName}");
            TensorAssert.Close(t[$"grad_ctx.{lossName}"], grads[1], 1e-4, 1e-3, $"grad_ctx.{lossName}");
        }
    }
}
