namespace Dspt.Sweeps;

/// <summary>A dataset of a plan: where it is (a path relative to the plan file, or builtin:TASK), how to read it, its short name.</summary>
public sealed record PlanDataset(string Address, string Name, string? Format, string? Template);

/// <summary>A model of a plan: a checkpoint path (relative to the plan file) or "builtin", an optional vocabulary, its short name.</summary>
public sealed record PlanModel(string Address, string Name, string? Vocab);

/// <summary>
/// Training settings shared by a plan's runs; a method may override any of them.
/// <see cref="Epochs"/> null: CoOp's count for the shots (200/100/50).
/// </summary>
public sealed record PlanTraining(
    int? Epochs = null,
    double Lr = 0.002,
    int BatchSize = 32,
    int Views = 8,
    int NCtx = 16,
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
    IReadOnlyList<int> Seeds)
{
    /// <summary>A path as the run reads it: built-in addresses as they are, others against <see cref="Directory"/>.</summary>
    public string Resolve(string address) =>
        Builtin.BuiltinModel.Is(address) || Builtin.BuiltinDataset.Is(address) ? address : Path.GetFullPath(Path.Combine(Directory, address));
}
