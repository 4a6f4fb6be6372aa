using System.Text.Json.Serialization;
using Dspt.Training;

namespace Dspt.Runs;

/// <summary>
/// Everything `dspt train` was asked to do. Saved in manifest.json, so `dspt train --resume DIR`
/// can rebuild the run from the folder alone. <see cref="Device"/>, <see cref="Threads"/> and
/// <see cref="CacheDirectory"/> say how to compute, not what: they may change on resume (a
/// bit-exact continuation needs the same device and thread count, which the manifest records).
/// <see cref="Template"/> is the --template override (null: the dataset's own template).
/// <see cref="Learner"/> (null: coop) and <see cref="Classes"/> (null: all) are left out of the
/// JSON when null, so manifests and fingerprints of CoOp runs on all classes are what they were
/// before learners and base-to-new existed (their runs still resume).
/// </summary>
public sealed record RunSpec(
    string Model,
    string Dataset,
    string? DatasetFormat,
    string? Template,
    string? Vocab,
    int Shots,
    string Noise,
    string Loss,
    int Seed,
    TrainConfig Train,
    int NCtx,
    string? CtxInit,
    bool ClassSpecific,
    string Position,
    string Device,
    int? Threads,
    string? CacheDirectory,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Learner = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Classes = null)
{
    /// <summary>The learner's registry name: coop unless another was chosen.</summary>
    public string LearnerName => Learner ?? "coop";

    /// <summary>all, base or new (CoOp's subsample_classes).</summary>
    public string ClassesName => Classes ?? "all";

    /// <summary>The parts that decide the result (everything but device, threads and cache).</summary>
    public RunSpec WithoutComputeSettings() => this with { Device = "", Threads = null, CacheDirectory = null };
}
