using Dspt.IO;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

public class CoOpInteropTests
{
    static ClipTokenizer Tokenizer() => ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));

    /// <summary>Our tokenization of CoOp's prompts equals CoOp's tokenized_prompts and name_lens in every fixture case.</summary>
    [Fact]
    public void PromptTokensMatchCoOpInEveryFixtureCase()
    {
        var tokenizer = Tokenizer();
        foreach (var name in CoOpFixture.CaseNames())
        {
            var fixture = CoOpFixture.Load(name);
            var tokens = PromptTokens.Create(tokenizer, fixture.ClassNames, fixture.Options, 77);
            Assert.Equal(fixture.Tokens.Tokens.data<long>().ToArray(), tokens.Tokens.data<long>().ToArray());
            Assert.Equal(fixture.Tokens.NameLengths, tokens.NameLengths);
        }
    }

    [Fact]
    public void ZeroShotTextIsTheTemplateWithTheName()
    {
        var tokenizer = Tokenizer();
        using var tokens = CoOpPrompts.ZeroShot(tokenizer, ["golden_retriever", "cat"], "a photo of a {}, a type of pet.", 77);
        Assert.Equal(tokenizer.Tokenize("a photo of a golden retriever, a type of pet."), tokens[0].data<long>().ToArray());
        Assert.Equal(tokenizer.Tokenize("a photo of a cat, a type of pet."), tokens[1].data<long>().ToArray());
    }

    /// <summary>
    /// The export has Dassl's layout (what CoOp's load_model reads: checkpoint["state_dict"] with
    /// ctx, token_prefix, token_suffix, and checkpoint["epoch"]); importing it gives a learner
    /// with the same logits, bit for bit.
    /// </summary>
    [Theory]
    [InlineData("b_rand16_end")]
    [InlineData("e_csc_rand4_end")]
    public void ExportReadsBackAsCoOpsLayoutAndImportsExactly(string caseName)
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        var fixture = CoOpFixture.Load(caseName);
        var learner = fixture.Learner(model, fixture.Options);
        using (no_grad()) learner.Context.add_(0.01f);   // not the init: a trained-looking context
        CoOpCheckpoint.Export(dir["model.pth.tar-50"], learner, 50);

        var root = Assert.IsType<PickleDict>(TorchPickle.Load(dir["model.pth.tar-50"]));
        Assert.False(root.IsOrderedDict);
        Assert.Equal(["state_dict", "epoch", "optimizer", "scheduler"], root.Keys.Cast<string>());
        Assert.Equal(50L, root["epoch"]);
        var state = Assert.IsType<PickleDict>(root["state_dict"]);
        Assert.True(state.IsOrderedDict);
        Assert.Equal(["ctx", "token_prefix", "token_suffix"], state.Keys.Cast<string>());
        var expected = learner.CoOpState();
        foreach (var key in expected.Keys)
            Assert.Equal(expected[key].bytes.ToArray(), Assert.IsType<Tensor>(state[key]).contiguous().bytes.ToArray());

        var imported = PromptLearner.FromCoOpState(model, _ => fixture.Tokens, fixture.ClassNames,
            CoOpCheckpoint.ReadState(dir["model.pth.tar-50"]), fixture.Options, "export");
        using var _ = no_grad();
        using var x = fixture.Tensors["image_features"];
        Assert.Equal(learner.Logits(x).bytes.ToArray(), imported.Logits(x).bytes.ToArray());
    }
}
