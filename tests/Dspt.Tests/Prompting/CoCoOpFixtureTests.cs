using Dspt.Losses;
using Dspt.Prompting;
using Dspt.Tests.Clip;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// CoCoOp against shared/fixtures/prompt-learners (the original trainers/cocoop.py on vit-tiny,
/// B = 4 images so the per-image loop runs more than once), with every speed-up off and on.
/// Tolerances are the manifest's suggested float32 tolerances for a port, per case: 20x the
/// largest float32 deviation its float64 rerun of the same code found (prompt vectors 1e-5,
/// text features 5e-5..6e-5, logits 5e-5, losses 1e-5, gradients 2e-5..3e-5 with rtol 1e-3).
/// </summary>
public class CoCoOpFixtureTests
{
    public static TheoryData<string> Cases => [.. LearnerFixture.CaseNames("cocoop")];

    public static TheoryData<string, PromptLearnerFixtureTests.SpeedUp> CasesAndSpeedUps
    {
        get
        {
            var data = new TheoryData<string, PromptLearnerFixtureTests.SpeedUp>();
            foreach (var name in LearnerFixture.CaseNames("cocoop"))
                foreach (var speedUp in Enum.GetValues<PromptLearnerFixtureTests.SpeedUp>()) data.Add(name, speedUp);
            return data;
        }
    }

    internal static PromptOptions Options(LearnerFixture fx) =>
        new(new PromptLayout(NCtx: fx.NCtx, CtxInit: fx.Entry.GetProperty("cfg").GetProperty("TRAINER").GetProperty("COCOOP").GetProperty("CTX_INIT").GetString() is { Length: > 0 } s ? s : null));

    static PromptOptions With(PromptOptions options, PromptLearnerFixtureTests.SpeedUp speedUp) => options with
    {
        TruncateAtEot = speedUp is PromptLearnerFixtureTests.SpeedUp.Truncate or PromptLearnerFixtureTests.SpeedUp.Both,
        SharePrefix = speedUp is PromptLearnerFixtureTests.SpeedUp.SharePrefix or PromptLearnerFixtureTests.SpeedUp.Both,
    };

    /// <summary>A learner on the fixture's tokens holding the fixture's trainable values (init.prompt_learner.*).</summary>
    internal static CoCoOpLearner Learner(LearnerFixture fx, Dspt.Clip.ClipModel model, PromptOptions options)
    {
        var learner = new CoCoOpLearner(model, fx.Tokens, fx.ClassNames, options, fx.InitSeed);
        using (no_grad())
            foreach (var (name, p) in learner.named_parameters()) p.copy_(fx.Tensors[$"init.prompt_learner.{name}"]);
        return learner;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StateTokensAndPromptsAreCoCoOps(string name)
    {
        var fx = LearnerFixture.Load(name);
        using var model = CoOpFixture.LoadModel();
        using var learner = Learner(fx, model, Options(fx));
        Assert.Equal(["ctx", "meta_net.linear1.bias", "meta_net.linear1.weight", "meta_net.linear2.bias", "meta_net.linear2.weight", "token_prefix", "token_suffix"],
            learner.state_dict().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(fx.Entry.GetProperty("trainable").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
            learner.named_parameters().Select(p => $"prompt_learner.{p.name}").Order(StringComparer.Ordinal));
        var tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));
        var tokens = PromptTokens.Create(tokenizer, fx.ClassNames, Options(fx), 77);
        Assert.Equal(fx.Tensors["tokenized_prompts"].data<long>().ToArray(), tokens.Tokens.data<long>().ToArray());
        Assert.Equal(fx.Tensors["name_lens"].data<long>().ToArray(), tokens.NameLengths.Select(n => (long)n));
        using (no_grad())
        {
            var image = CoCoOpLearner.Normalize(fx.Tensors["image_features"]);
            fx.AssertClose("image_features_normalized", image, "prompt_vectors");
            fx.AssertClose("meta_net_out", learner.Bias(image), "prompt_vectors");
            fx.AssertClose("prompts", learner.Prompts(image), "prompt_vectors");
        }
    }

    /// <summary>
    /// CoCoOp draws the random context and then the meta-net's nn.Linear init from the global
    /// RNG right after torch.manual_seed(init_seed); one CPU generator with the same seed, drawn
    /// in the same order, gives exactly the same numbers.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void SeededInitDrawsCoCoOpsNumbers(string name)
    {
        var fx = LearnerFixture.Load(name);
        using var model = CoOpFixture.LoadModel();
        using var learner = new CoCoOpLearner(model, fx.Tokens, fx.ClassNames, Options(fx), fx.InitSeed);
        foreach (var (param, value) in learner.named_parameters())
            TensorAssert.Close(fx.Tensors[$"init.prompt_learner.{param}"], value, 0, 0, param);
    }

    [Theory]
    [MemberData(nameof(CasesAndSpeedUps))]
    public void MatchesCoCoOpForEveryLoss(string name, PromptLearnerFixtureTests.SpeedUp speedUp)
    {
        var fx = LearnerFixture.Load(name);
        using var model = CoOpFixture.LoadModel();
        using var learner = Learner(fx, model, With(Options(fx), speedUp));
        var t = fx.Tensors;
        using (no_grad())
        {
            fx.AssertClose("text_features", learner.TextFeatures(CoCoOpLearner.Normalize(t["image_features"])), "text_features");
            fx.AssertClose("probs", learner.Logits(t["image_features"]).softmax(1), "probs");
        }
        var parameters = learner.named_parameters().ToList();
        foreach (var loss in new[] { "ce", "dspt" })
        {
            var logits = learner.Logits(t["image_features"]);
            fx.AssertClose("logits", logits, "logits");
            var value = LossRegistry.Create(loss).PerSample(logits, t["labels"]).mean();
            fx.AssertClose($"loss.{loss}", value, "losses");
            var grads = torch.autograd.grad([value], [logits, .. parameters.Select(p => (Tensor)p.parameter)]);
            TensorAssert.Close(t[$"grad_logits.{loss}"], grads[0], 3e-6, 1e-4, $"grad_logits.{loss}");
            for (int i = 0; i < parameters.Count; i++)
                fx.AssertClose($"grad.{loss}.prompt_learner.{parameters[i].name}", grads[i + 1], "grads");
        }
    }
}
