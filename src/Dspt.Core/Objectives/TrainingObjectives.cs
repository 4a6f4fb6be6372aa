using System.Globalization;
using Dspt.Losses;

namespace Dspt.Objectives;

/// <summary>
/// Builds what a run trains with from its name: a plain loss (LossRegistry: ce, dspt, gce, mae...)
/// trained CoOp's way, or "nlprompt" / "nlprompt:REG" (PromptOT sample selection, OT
/// regularisation REG, default 0.01).
/// </summary>
public static class TrainingObjectives
{
    public static IReadOnlyList<string> Names { get; } = [.. LossRegistry.Names, "nlprompt", "nlprompt:<reg>"];

    public static ITrainingObjective Create(string name)
    {
        var parts = name.Trim().ToLowerInvariant().Split(':', 2);
        if (parts[0] != "nlprompt")
        {
            if (!LossRegistry.Contains(parts[0]))
                throw new InvalidInputException($"unknown loss '{name}', expected one of: {string.Join(", ", Names)}");
            return new LossObjective(LossRegistry.Create(name));
        }
        if (parts.Length == 1) return new NLPromptObjective();
        return double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double reg) && reg > 0 && double.IsFinite(reg)
            ? new NLPromptObjective(reg)
            : throw new InvalidInputException($"objective '{name}': '{parts[1]}' is not a positive number (expected e.g. nlprompt:0.001)");
    }
}
