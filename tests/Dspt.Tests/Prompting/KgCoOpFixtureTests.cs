using Dspt.Losses;
using Dspt.Prompting;
using Dspt.Tests.Clip;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// KgCoOp against shared/fixtures/prompt-learners (the original trainers/kgcoop.py on vit-tiny,
/// W = 8, template 'a photo of a {}.'): hand-crafted features, text features, logits, the
/// cosines and score, every loss term (CE, DSPT, the KG term alone, CE + KG, DSPT + KG) and
/// its gradient, with CoOp's speed-ups off and on. Case a starts at the hand-crafted prompt
/// (score 0, KG gradient 0); case b moves the context first. Tolerances: the manifest's
/// suggested float32 tolerances for a port per case (20x the largest float32 deviation of
/// its float64 rerun); the cosines are compared with the probabilities' (1e-5..2e-5).
/// </summary>
public class KgCoOpFixtureTests
{
    public static TheoryData<string, bool> CasesAndSpeedUps
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var name in LearnerFixture.CaseNames("kgcoop"))
            {
                data.Add(name, false);
                data.Add(name, true);
            }
            return data;
        }
    }

    static readonly PromptOptions KgOptions = new(new PromptLayout(NCtx: 4, CtxInit: "a photo of a"));

    [Theory]
    [MemberData(nameof(CasesAndSpeedUps))]
    public void MatchesKgCoOpForEveryLossTerm(string name, bool fast)
    {
        var fx = LearnerFixture.Load(name);
        var t = fx.Tensors;
        using var model = CoOpFixture.LoadModel();
        var options = fast ? KgOptions : KgOptions.Plain();
        var prompt = new PromptLearner(model, fx.Tokens, fx.ClassNames, options, seed: 0);
        if (t.TryGetValue("ctx_as_constructed", out var constructed))
            TensorAssert.Close(constructed, prompt.Context, 0, 0, "ctx as constructed from 'a photo of a'");
        else
            TensorAssert.Close(t["init.prompt_learner.ctx"], prompt.Context, 0, 0, "ctx from 'a photo of a'");
        using (no_grad()) prompt.Context.copy_(t["init.prompt_learner.ctx"]);
        using var learner = new KgCoOpLearner(prompt, t["handcrafted_tokenized"], fx.Entry.GetProperty("cfg").GetProperty("TRAINER").GetProperty("COOP").GetProperty("W").GetDouble());

        fx.AssertClose("handcrafted_text_features", learner.HandcraftedFeatures, "text_features");
        using (no_grad())
        {
            TensorAssert.Close(t["prompts"], prompt.Prompts(), 0, 0, "prompts");
            var text = prompt.TextFeatures();
            fx.AssertClose("text_features", text, "text_features");
            var normalized = text / text.norm(-1, keepdim: true);
            fx.AssertClose("cos", nn.functional.cosine_similarity(normalized, learner.HandcraftedFeatures, 1, 1e-7), "probs");
            fx.AssertClose("score", learner.Score(text), "losses");
        }

        foreach (var term in new[] { "ce", "dspt", "kg", "total_ce", "total_dspt" })
        {
            var (logits, penalty) = learner.Forward(t["image_features"]);
            fx.AssertClose("logits", logits, "logits");
            fx.AssertClose("probs", logits.softmax(1).detach(), "probs");
            var labels = t["labels"];
            var value = term switch
            {
                "ce" or "dspt" => LossRegistry.Create(term).PerSample(logits, labels).mean(),
                "kg" => penalty,
                _ => LossRegistry.Create(term["total_".Length..]).PerSample(logits, labels).mean() + penalty,
            };
            fx.AssertClose($"loss.{term}", value, "losses");
            var grad = torch.autograd.grad([value], [prompt.Context], allow_unused: true)[0];
            fx.AssertClose($"grad.{term}.prompt_learner.ctx", grad, "grads");
        }
    }

    /// <summary>The real BPE gives the fixture's hand-crafted tokens from KgCoOp's ImageNet template.</summary>
    [Fact]
    public void TokenizesTheHandCraftedPromptsAsKgCoOp()
    {
        var fx = LearnerFixture.Load("kgcoop_a_ctxinit_w8");
        var tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));
        var tokens = CoOpPrompts.ZeroShot(tokenizer, fx.ClassNames, fx.Entry.GetProperty("handcrafted_template").GetString()!, 77);
        Assert.Equal(fx.Tensors["handcrafted_tokenized"].data<long>().ToArray(), tokens.data<long>().ToArray());
        Assert.Equal(fx.Tensors["tokenized_prompts"].data<long>().ToArray(),
            PromptTokens.Create(tokenizer, fx.ClassNames, KgOptions, 77).Tokens.data<long>().ToArray());
    }

    [Fact]
    public void RejectsANegativeWeight()
    {
        var fx = LearnerFixture.Load("kgcoop_a_ctxinit_w8");
        using var model = CoOpFixture.LoadModel();
        var prompt = new PromptLearner(model, fx.Tokens, fx.ClassNames, KgOptions, seed: 0);
        var e = Assert.Throws<InvalidInputException>(() => new KgCoOpLearner(prompt, fx.Tensors["handcrafted_tokenized"], -1));
        Assert.Contains("KgCoOp weight -1", e.Message);
    }
}
