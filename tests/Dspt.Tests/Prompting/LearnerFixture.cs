using System.Text.Json;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Tests.Clip;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// One case of shared/fixtures/prompt-learners (made by the original CoCoOp / KgCoOp code on
/// vit-tiny): its manifest entry, its tensors and the manifest's suggested float32 tolerances
/// for a port (20x the worst float32 deviation its float64 rerun found).
/// </summary>
public sealed class LearnerFixture
{
    public required string Case { get; init; }
    public required JsonElement Entry { get; init; }
    public required JsonElement Tolerances { get; init; }
    public required Dictionary<string, Tensor> Tensors { get; init; }

    public IReadOnlyList<string> ClassNames => [.. Entry.GetProperty("classnames").EnumerateArray().Select(e => e.GetString()!)];
    public int NCtx => Entry.GetProperty("n_ctx").GetInt32();
    public long InitSeed => Entry.GetProperty("init_seed").GetInt64();

    public PromptTokens Tokens => new(Tensors["tokenized_prompts"], [.. Tensors["name_lens"].data<long>().ToArray().Select(n => (int)n)]);

    static JsonElement Manifest() =>
        JsonDocument.Parse(File.ReadAllText(Repo.Fixture("prompt-learners", "manifest.json"))).RootElement;

    public static IEnumerable<string> CaseNames(string learner) =>
        Manifest().GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("learner").GetString() == learner)
            .Select(c => c.GetProperty("case").GetString()!);

    public static LearnerFixture Load(string name)
    {
        var manifest = Manifest();
        var entry = manifest.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("case").GetString() == name);
        return new LearnerFixture
        {
            Case = name,
            Entry = entry.Clone(),
            Tolerances = manifest.GetProperty("tolerance").GetProperty(name).GetProperty("suggested_float32_tolerance_for_a_port").Clone(),
            Tensors = Safetensors.Load(Repo.Fixture("prompt-learners", entry.GetProperty("file").GetString()!)),
        };
    }

    /// <summary>Asserts <paramref name="actual"/> against the fixture tensor within the manifest's tolerance of <paramref name="kind"/>.</summary>
    public void AssertClose(string tensor, Tensor actual, string kind)
    {
        var tol = Tolerances.GetProperty(kind);
        TensorAssert.Close(Tensors[tensor], actual, tol.GetProperty("atol").GetDouble(), tol.GetProperty("rtol").GetDouble(), $"{Case}: {tensor}");
    }
}
