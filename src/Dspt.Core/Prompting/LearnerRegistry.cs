using System.Globalization;
using Dspt.Clip;
using Dspt.Text;

namespace Dspt.Prompting;

/// <summary>What every learner is built from: the frozen model, the classes and the prompt layout.</summary>
/// <param name="Template">The dataset's hand-crafted template ("a photo of a {}."): KgCoOp's guide.</param>
public sealed record LearnerSetup(ClipModel Clip, ClipTokenizer Tokenizer, IReadOnlyList<string> ClassNames,
    PromptOptions Options, string Template, long Seed);

/// <summary>A learner's own defaults (its official config); null: CoOp's recipe (batch 32, epochs by shots).</summary>
public sealed record LearnerDefaults(int NCtx, string? CtxInit, int? BatchSize = null, int? Epochs = null, double LearningRate = 0.002);

/// <summary>
/// Builds a prompt model by name, as <see cref="Losses.LossRegistry"/> builds losses:
/// "coop", "cocoop", "kgcoop" (weight 8) or "kgcoop:W".
/// </summary>
public static class LearnerRegistry
{
    public static IReadOnlyList<string> Names { get; } = ["coop", "cocoop", "kgcoop", "kgcoop:<weight>"];

    /// <summary>
    /// CoOp: 16 random context vectors (configs/trainers/CoOp). CoCoOp: vit_b16_c4_ep10_batch1_ctxv1
    /// (4 vectors from "a photo of a", batch 1, 10 epochs, lr 0.002). KgCoOp: 4 vectors from
    /// "a photo of a" (its ctxv1 config), otherwise CoOp's recipe.
    /// </summary>
    public static LearnerDefaults Defaults(string name) => Kind(name) switch
    {
        "coop" => new LearnerDefaults(16, null),
        "cocoop" => new LearnerDefaults(4, "a photo of a", BatchSize: 1, Epochs: 10),
        _ => new LearnerDefaults(4, "a photo of a"),
    };

    /// <summary>The learner's kind without its argument ("kgcoop:4" -> "kgcoop"); unknown names are an error.</summary>
    public static string Kind(string name)
    {
        var parts = name.Trim().ToLowerInvariant().Split(':', 2);
        return (parts[0], parts.Length == 2) switch
        {
            ("coop", false) or ("cocoop", false) or ("kgcoop", _) => parts[0],
            _ => throw new InvalidInputException($"unknown learner '{name}', expected one of: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>KgCoOp's weight W from "kgcoop" (8) or "kgcoop:W".</summary>
    public static double KgWeight(string name)
    {
        var parts = name.Trim().ToLowerInvariant().Split(':', 2);
        if (parts.Length == 1) return KgCoOpLearner.DefaultWeight;
        return double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && double.IsFinite(w) && w >= 0
            ? w
            : throw new InvalidInputException($"learner '{name}': '{parts[1]}' is not a weight >= 0 (expected e.g. kgcoop:8)");
    }

    public static IPromptModel Create(string name, LearnerSetup setup) => Kind(name) switch
    {
        "coop" => new PromptLearner(setup.Clip, setup.Tokenizer, setup.ClassNames, setup.Options, setup.Seed),
        "cocoop" => new CoCoOpLearner(setup.Clip, setup.Tokenizer, setup.ClassNames, setup.Options, setup.Seed),
        _ => KgCoOpLearner.Create(setup.Clip, setup.Tokenizer, setup.ClassNames, setup.Options, setup.Template, KgWeight(name), setup.Seed),
    };
}
