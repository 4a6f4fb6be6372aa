using System.Text.Json;
using Dspt.Clip;
using Dspt.IO;
using Dspt.Prompting;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>One case of shared/fixtures/coop-prompt: its config from manifest.json and its tensors.</summary>
public sealed class CoOpFixture
{
    public required string Case { get; init; }
    public required PromptOptions Options { get; init; }
    public required long? InitSeed { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required Dictionary<string, Tensor> Tensors { get; init; }

    public static readonly string[] Losses = ["ce", "dspt", "gce", "mae"];

    public static IEnumerable<string> CaseNames() =>
        Manifest().GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("case").GetString()!);

    static JsonElement Manifest() =>
        JsonDocument.Parse(File.ReadAllText(Repo.Fixture("coop-prompt", "manifest.json"))).RootElement;

    public static CoOpFixture Load(string name)
    {
        var entry = Manifest().GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("case").GetString() == name);
        var config = entry.GetProperty("config");
        var ctxInit = config.GetProperty("CTX_INIT").GetString();
        var seed = config.GetProperty("init_seed");
        return new CoOpFixture
        {
            Case = name,
            Options = new PromptOptions(new PromptLayout(
                NCtx: config.GetProperty("N_CTX").GetInt32(),
                CtxInit: string.IsNullOrEmpty(ctxInit) ? null : ctxInit,
                ClassSpecific: config.GetProperty("CSC").GetBoolean(),
                Position: PromptLayout.ParsePosition(config.GetProperty("CLASS_TOKEN_POSITION").GetString()!))),
            InitSeed = seed.ValueKind == JsonValueKind.Null ? null : seed.GetInt64(),
            ClassNames = [.. entry.GetProperty("classnames").EnumerateArray().Select(e => e.GetString()!)],
            Tensors = Safetensors.Load(Repo.Fixture("coop-prompt", entry.GetProperty("file").GetString()!)),
        };
    }

    /// <summary>The fixture's model: vit-tiny as CoOp loads it (build_model, then float32).</summary>
    public static ClipModel LoadModel() =>
        ClipModel.FromStateDict(Safetensors.Load(Repo.Fixture("clip-models", "vit-tiny", "weights.openai.safetensors")), "vit-tiny");

    public PromptTokens Tokens => new(Tensors["tokenized_prompts"], [.. Tensors["name_lens"].data<long>().ToArray().Select(n => (int)n)]);

    /// <summary>A learner on the fixture's tokens with the fixture's initial context.</summary>
    public PromptLearner Learner(ClipModel model, PromptOptions options)
    {
        var learner = new PromptLearner(model, Tokens, ClassNames, options, InitSeed ?? 0);
        using (no_grad()) learner.Context.copy_(Tensors["ctx_init"]);
        return learner;
    }
}
