using Dspt.IO;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// CoCoOp's and KgCoOp's prompt_learner checkpoints in their Python code's state-dict layout
/// (Dassl's save_checkpoint): names and order as PyTorch's state_dict lists them, values, and
/// an import that reproduces the learner's logits bit for bit.
/// </summary>
public class LearnerInteropTests
{
    static readonly string[] Names = ["dog", "golden retriever", "Boeing 737-800", "AnnualCrop", "bánh mì"];
    static readonly ClipTokenizer Tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));
    const string Template = "a photo of a {}.";

    static LearnerSetup Setup(Dspt.Clip.ClipModel model, string learner)
    {
        var d = LearnerRegistry.Defaults(learner);
        return new LearnerSetup(model, Tokenizer, Names, new PromptOptions(new PromptLayout(d.NCtx, d.CtxInit)), Template, 3);
    }

    [Theory]
    [InlineData("cocoop", new[] { "ctx", "token_prefix", "token_suffix", "meta_net.linear1.weight", "meta_net.linear1.bias", "meta_net.linear2.weight", "meta_net.linear2.bias" })]
    [InlineData("kgcoop", new[] { "ctx", "token_prefix", "token_suffix" })]
    public void ExportHasTheReferenceLayoutAndImportsExactly(string learner, string[] keys)
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var prompt = LearnerRegistry.Create(learner, Setup(model, learner));
        using (no_grad())
            foreach (var (_, p) in prompt.Trainable) p.add_(0.01 * randn(p.shape, generator: new Generator(9)));
        LearnerCheckpoint.Export(dir["model.pth.tar-10"], prompt, 10);

        var root = Assert.IsType<PickleDict>(TorchPickle.Load(dir["model.pth.tar-10"]));
        Assert.Equal(["state_dict", "epoch", "optimizer", "scheduler"], root.Keys.Cast<string>());
        Assert.Equal(10L, root["epoch"]);
        var state = Assert.IsType<PickleDict>(root["state_dict"]);
        Assert.True(state.IsOrderedDict);
        Assert.Equal(keys, state.Keys.Cast<string>());
        var trained = prompt.Trainable.ToDictionary(t => t.Name, t => t.Tensor);
        foreach (var (name, value) in trained)
            Assert.Equal(value.detach().contiguous().bytes.ToArray(), Assert.IsType<Tensor>(state[name]).contiguous().bytes.ToArray());

        using var imported = LearnerCheckpoint.Import(learner, Setup(model, learner), CoOpCheckpoint.ReadState(dir["model.pth.tar-10"]), "export");
        var x = randn([3, 64], generator: new Generator(2));
        using var _ = no_grad();
        Assert.Equal(prompt.Forward(x).Logits.bytes.ToArray(), imported.Forward(x).Logits.bytes.ToArray());
    }

    /// <summary>KgCoOp's own checkpoints also hold its unused bias_vectors and meta_net.linear1 (hard-coded 512 wide): ignored.</summary>
    [Fact]
    public void KgCoOpsUnusedParametersAreIgnoredOnImport()
    {
        using var model = CoOpFixture.LoadModel();
        using var dir = Repo.Temp();
        using var prompt = (KgCoOpLearner)LearnerRegistry.Create("kgcoop", Setup(model, "kgcoop"));
        var state = new PickleDict { IsOrderedDict = true };
        foreach (var (name, value) in LearnerCheckpoint.ReferenceState(prompt)) state[name] = value;
        state["bias_vectors"] = randn(1, 512);
        state["meta_net.linear1.weight"] = randn(512, 512);
        state["meta_net.linear1.bias"] = randn(512);
        TorchPickle.Save(dir["kg.pth"], new PickleDict { ["state_dict"] = state, ["epoch"] = 5L, ["optimizer"] = null, ["scheduler"] = null });
        using var imported = LearnerCheckpoint.Import("kgcoop", Setup(model, "kgcoop"), CoOpCheckpoint.ReadState(dir["kg.pth"]), "kg.pth");
        Assert.Equal(prompt.Prompt.Context.bytes.ToArray(), imported.Trainable[0].Tensor.bytes.ToArray());
        Assert.Equal(prompt.HandcraftedFeatures.bytes.ToArray(), ((KgCoOpLearner)imported).HandcraftedFeatures.bytes.ToArray());
    }

    [Fact]
    public void ACoCoOpStateWithoutItsMetaNetIsRefused()
    {
        using var model = CoOpFixture.LoadModel();
        var state = new Dictionary<string, Tensor> { ["ctx"] = randn(4, 128) };
        var e = Assert.Throws<InvalidInputException>(() => LearnerCheckpoint.Import("cocoop", Setup(model, "cocoop"), state, "c.pth"));
        Assert.Contains("c.pth: missing tensor 'meta_net.linear1.weight'", e.Message);
        state["meta_net.linear1.weight"] = randn(4, 64);
        state["meta_net.linear1.bias"] = randn(4);
        state["meta_net.linear2.weight"] = randn(128, 4);
        state["meta_net.linear2.bias"] = randn(7);
        Assert.Contains("tensor 'meta_net.linear2.bias' has shape [7]", Assert.Throws<InvalidInputException>(() =>
            LearnerCheckpoint.Import("cocoop", Setup(model, "cocoop"), state, "c.pth")).Message);
    }
}
