using Dspt.IO;
using Dspt.Prompting;
using Dspt.Tests.Clip;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

public class PromptLearnerStateTests
{
    [Theory]
    [InlineData("b_rand16_end")]
    [InlineData("c_rand16_middle")]
    [InlineData("e_csc_rand4_end")]
    [Trait("Category", "Slow")]
    public void CoOpStateRoundTripsThroughSafetensors(string name)
    {
        var fx = CoOpFixture.Load(name);
        using var model = CoOpFixture.LoadModel();
        using var learner = fx.Learner(model, fx.Options);
        using var dir = Repo.Temp();
        Safetensors.Save(dir["prompt_learner.safetensors"], learner.CoOpState());

        var state = Safetensors.Load(dir["prompt_learner.safetensors"]);
        // NCtx and ClassSpecific come from the saved ctx, whatever the options say.
        var options = new PromptOptions(new PromptLayout(NCtx: 7, Position: fx.Options.Position));
        using var loaded = PromptLearner.FromCoOpState(model, _ => fx.Tokens, fx.ClassNames, state, options, "prompt_learner.safetensors");
        Assert.Equal(fx.Options.ClassSpecific, loaded.Options.ClassSpecific);
        Assert.Equal(learner.ContextCount, loaded.ContextCount);
        TensorAssert.Close(learner.Context, loaded.Context, 0, 0, "ctx");
        TensorAssert.Close(fx.Tensors["token_suffix"], loaded.CoOpState()["token_suffix"], 0, 0, "token_suffix");
        using (no_grad())
            TensorAssert.Close(learner.Logits(fx.Tensors["image_features"]), loaded.Logits(fx.Tensors["image_features"]), 0, 0, "logits");
    }

    [Fact]
    public void ImportRejectsStatesThatDoNotFitWithClearErrors()
    {
        var fx = CoOpFixture.Load("b_rand16_end");
        using var model = CoOpFixture.LoadModel();
        using var learner = fx.Learner(model, fx.Options);
        var good = learner.CoOpState();

        string Error(Dictionary<string, Tensor> state, PromptOptions? options = null, int classes = 5) =>
            Assert.Throws<InvalidInputException>(() => PromptLearner.FromCoOpState(model, _ => fx.Tokens,
                fx.ClassNames.Take(classes).ToList(), state, options ?? new PromptOptions(), "ckpt.safetensors")).Message;

        Assert.Contains("ckpt.safetensors: missing tensor 'ctx'", Error(new() { ["token_prefix"] = good["token_prefix"] }));
        Assert.Contains("ckpt.safetensors: unexpected tensor 'meta'", Error(new(good) { ["meta"] = zeros(1) }));
        Assert.Contains("tensor 'ctx' has shape [16, 64]", Error(new(good) { ["ctx"] = zeros(16, 64) }));
        Assert.Contains("expected floating [n_ctx, 128] or, class-specific, [5, n_ctx, 128]", Error(new(good) { ["ctx"] = zeros(3, 16, 128) }));
        Assert.Contains("tensor 'token_prefix' has shape [5, 1, 128], expected [4, 1, 128]", Error(new(good) { ["ctx"] = good["ctx"] }, classes: 4));
        Assert.Contains("tensor 'token_suffix' has shape [5, 60, 128], expected [5, 64, 128]", Error(new(good) { ["ctx"] = zeros(12, 128) }));
        Assert.Contains("16 context vectors but the init phrase 'a photo of a' has 4 words", Error(good, new PromptOptions(new PromptLayout(CtxInit: "a photo of a"))));
    }

    [Fact]
    public void ConstructorRejectsInconsistentInputsWithClearErrors()
    {
        var fx = CoOpFixture.Load("b_rand16_end");
        using var model = CoOpFixture.LoadModel();
        var names = fx.ClassNames;

        string Error(PromptTokens tokens, PromptOptions options, IReadOnlyList<string>? classNames = null) =>
            Assert.Throws<InvalidInputException>(() => new PromptLearner(model, tokens, classNames ?? names, options, 0)).Message;

        var tokens = fx.Tokens;
        Assert.Contains("tokenized prompts have shape [5, 76]", Error(tokens with { Tokens = tokens.Tokens.narrow(1, 0, 76) }, fx.Options));
        Assert.Contains("expected integer [4, 77] (4 classes", Error(tokens, fx.Options, [.. names.Take(4)]));
        Assert.Contains("4 name lengths for 5 classes", Error(tokens with { NameLengths = [1, 2, 3, 4] }, fx.Options));
        Assert.Contains("no class names given", Error(tokens, fx.Options, []));
        Assert.Contains("class-specific context with an init phrase", Error(tokens, new PromptOptions(new PromptLayout(CtxInit: "a photo", ClassSpecific: true))));
        Assert.Contains("number of context vectors is 0", Error(tokens, new PromptOptions(new PromptLayout(NCtx: 0))));
        // Tokens made for 16 context words cannot hold 40.
        Assert.Contains("prompt of class 'dog': end-of-text token at position 19, expected after SOT, 40 context tokens",
            Error(tokens, new PromptOptions(new PromptLayout(NCtx: 40))));
    }
}
