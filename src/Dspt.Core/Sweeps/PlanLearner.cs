using Dspt.Prompting;

namespace Dspt.Sweeps;

/// <summary>
/// A learner of a plan (key <c>learners</c>): its registry name (any name
/// <see cref="LearnerRegistry"/> accepts), its name in folders, and optional replacements for the
/// learner's own defaults (<see cref="LearnerRegistry.Defaults"/>). The plan's <c>train</c> and a
/// method's own keys still win over both: precedence is method, train, this entry, the learner's
/// defaults.
/// </summary>
public sealed record PlanLearner(string Name, string FolderName, int? Epochs = null, double? Lr = null, int? BatchSize = null, int? NCtx = null, string? CtxInit = null)
{
    public static PlanLearner CoOp { get; } = new("coop", "coop");

    public bool IsCoOp => LearnerRegistry.Kind(Name) == "coop";

    /// <summary>The settings a run of this learner gets for what <paramref name="t"/> leaves unset.</summary>
    public (int Epochs, double Lr, int BatchSize, int NCtx, string? CtxInit) Resolve(PlanTraining t, int shots)
    {
        var d = LearnerRegistry.Defaults(Name);
        string? ctxInit = t.NCtx is not null || t.CtxInit is not null ? t.CtxInit
            : NCtx is not null || CtxInit is not null ? CtxInit
            : d.CtxInit;
        return (t.Epochs ?? Epochs ?? d.Epochs ?? Training.TrainConfig.EpochsForShots(shots),
            t.Lr ?? Lr ?? d.LearningRate,
            t.BatchSize ?? BatchSize ?? d.BatchSize ?? 32,
            t.NCtx ?? NCtx ?? d.NCtx,
            ctxInit);
    }
}
