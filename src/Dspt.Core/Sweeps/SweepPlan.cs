namespace Dspt.Sweeps;

/// <summary>A dataset of a plan: where it is (a path relative to the plan file, or builtin:TASK), how to read it, its short name.</summary>
public sealed record PlanDataset(string Address, string Name, string? Format, string? Template);

/// <summary>A model of a plan: a checkpoint path (relative to the plan file) or "builtin", an optional vocabulary, its short name.</summary>
public sealed record PlanModel(string Address, string Name, string? Vocab);

/// <summary>
/// Training settings shared by a plan's runs; a method may override any of them.
/// <see cref="Epochs"/>, <see cref="Lr"/>, <see cref="BatchSize"/>, <see cref="NCtx"/> null: the
/// learner's defaults (<see cref="PlanLearner"/>; for CoOp: epochs by shots 200/100/50, lr 0.002,
/// batch 32, 16 vectors). <see cref="CtxInit"/> counts as set when <see cref="NCtx"/> is, as with
/// <c>dspt train --n-ctx</c>.
/// </summary>
public sealed record PlanTraining(
    int? Epochs = null,
    double? Lr = null,
    int? BatchSize = null,
    int Views = 8,
    int? NCtx = null,
    string? CtxInit = null,
    bool Csc = false,
    string Position = "end",
    int EvalTestEvery = 0,
    string Select = "last");

/// <summary>A method of a plan: its name in tables and folders, the loss or objective it trains with, its settings.</summary>
public sealed record PlanMethod(string Name, string Loss, PlanTraining Training);

/// <summary>
/// A sweep plan as read from its file: every axis in the order written. <see cref="Directory"/>
/// is the plan file's folder, against which relative dataset and model paths are resolved.
/// </summary>
public sealed record SweepPlan(
    string Name,
    string Directory,
    IReadOnlyList<PlanDataset> Datasets,
    IReadOnlyList<PlanModel> Models,
    IReadOnlyList<int> Shots,
    IReadOnlyList<string> Noise,
    IReadOnlyList<PlanMethod> Methods,
    IReadOnlyList<int> Seeds,
    IReadOnlyList<PlanLearner>? Learners = null,
    IReadOnlyList<string>? Classes = null)
{
    /// <summary>The plan's learners (key <c>learners</c>; CoOp alone when absent).</summary>
    public IReadOnlyList<PlanLearner> LearnerAxis => Learners is { Count: > 0 } l ? l : [PlanLearner.CoOp];

    /// <summary>The plan's class selections (key <c>classes</c>: all, base, new; all when absent).</summary>
    public IReadOnlyList<string> ClassesAxis => Classes is { Count: > 0 } c ? c : ["all"];

    /// <summary>A path as the run reads it: built-in addresses as they are, others against <see cref="Directory"/>.</summary>
    public string Resolve(string address) =>
        Builtin.BuiltinModel.Is(address) || Builtin.BuiltinDataset.Is(address) ? address : Path.GetFullPath(Path.Combine(Directory, address));
}
