using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// import-coop checks a checkpoint's token_prefix/token_suffix against the given model and class
/// names: CoOp's own (the Python fixture's) pass, in float32 and rounded to fp16 as CoOp on a GPU
/// saves them; other class names, another order or another model's start token are refused.
/// </summary>
public class ImportEmbeddingCheckTests
{
    static readonly ClipTokenizer Tokenizer = ClipTokenizer.Load(Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz"));

    /// <summary>The fixture's ctx with CoOp's own token_prefix/suffix (computed by its Python code), optionally rounded through <paramref name="dtype"/>.</summary>
    static Dictionary<string, Tensor> PythonState(CoOpFixture fixture, ScalarType dtype = ScalarType.Float32) => new()
    {
        ["ctx"] = fixture.Tensors["ctx_init"],
        ["token_prefix"] = fixture.Tensors["token_prefix"].to(dtype),
        ["token_suffix"] = fixture.Tensors["token_suffix"].to(dtype),
    };

    static LearnerSetup Setup(Dspt.Clip.ClipModel model, CoOpFixture fixture, IReadOnlyList<string>? names = null) =>
        new(model, Tokenizer, names ?? fixture.ClassNames, fixture.Options, "a photo of a {}.", 0);

    [Theory]
    [InlineData("a_ctxinit_end", ScalarType.Float32)]
    [InlineData("c_rand16_middle", ScalarType.Float16)]
    [InlineData("e_csc_rand4_end", ScalarType.BFloat16)]
    public void CoOps_own_embeddings_pass(string caseName, ScalarType dtype)
    {
        using var model = CoOpFixture.LoadModel();
        var fixture = CoOpFixture.Load(caseName);
        using var imported = LearnerCheckpoint.Import("coop", Setup(model, fixture), PythonState(fixture, dtype), "ckpt");
        Assert.Equal("coop", imported.Kind);
    }

    [Fact]
    public void Other_class_names_or_another_order_are_refused_naming_the_file_and_field()
    {
        using var model = CoOpFixture.LoadModel();
        var fixture = CoOpFixture.Load("b_rand16_end");
        var names = fixture.ClassNames.ToList();
        // Same token lengths, so the shapes agree and only the values tell.
        var renamed = names.ToList();
        renamed[0] = "cat";
        var e = Assert.Throws<InvalidInputException>(() => LearnerCheckpoint.Import("coop", Setup(model, fixture, renamed), PythonState(fixture), "model.pth.tar-5"));
        Assert.Contains("model.pth.tar-5", e.Message);
        Assert.Contains("'token_suffix'", e.Message);
        Assert.Contains("class 0 ('cat')", e.Message);

        var swapped = names.ToList();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        var e2 = Assert.Throws<InvalidInputException>(() => LearnerCheckpoint.Import("coop", Setup(model, fixture, swapped), PythonState(fixture), "ckpt"));
        Assert.Contains("'token_suffix'", e2.Message);
    }

    [Fact]
    public void Another_models_start_token_is_refused()
    {
        using var model = CoOpFixture.LoadModel();
        var fixture = CoOpFixture.Load("b_rand16_end");
        var state = PythonState(fixture);
        state["token_prefix"] = state["token_prefix"] * 1.05;   // beyond fp16/bf16 rounding
        var e = Assert.Throws<InvalidInputException>(() => LearnerCheckpoint.Import("coop", Setup(model, fixture), state, "ckpt"));
        Assert.Contains("ckpt: field 'token_prefix'", e.Message);
        Assert.Contains("another CLIP model", e.Message);
    }

    [Theory]
    [InlineData("cocoop")]
    [InlineData("kgcoop")]
    public void Every_learner_is_checked(string learner)
    {
        using var model = CoOpFixture.LoadModel();
        string[] names = ["dog", "golden retriever", "Boeing 737-800"];
        var d = LearnerRegistry.Defaults(learner);
        var setup = new LearnerSetup(model, Tokenizer, names, new PromptOptions(new PromptLayout(d.NCtx, d.CtxInit)), "a photo of a {}.", 3);
        using var prompt = LearnerRegistry.Create(learner, setup);
        var state = LearnerCheckpoint.ReferenceState(prompt).ToDictionary(t => t.Name, t => t.Value);
        using (LearnerCheckpoint.Import(learner, setup, state, "ok")) { }
        string[] other = ["cat", "golden retriever", "Boeing 737-800"];
        var e = Assert.Throws<InvalidInputException>(() => LearnerCheckpoint.Import(learner, setup with { ClassNames = other }, state, "k.pth"));
        Assert.Contains("k.pth: field 'token_suffix'", e.Message);
    }
}
