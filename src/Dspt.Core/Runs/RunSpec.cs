using Dspt.Training;

namespace Dspt.Runs;

/// <summary>
/// Everything `dspt train` was asked to do. Saved in manifest.json, so `dspt train --resume DIR`
/// can rebuild the run from the folder alone. <see cref="Device"/>, <see cref="Threads"/> and
/// <see cref="CacheDirectory"/> say how to compute, not what: they may change on resume (a
/// bit-exact continuation needs the same device and thread count, which the manifest records).
/// <see cref="Template"/> is the --template override (null: the dataset's own template).
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
    string? CacheDirectory)
{
    /// <summary>The parts that decide the result (everything but device, threads and cache).</summary>
    public RunSpec WithoutComputeSettings() => this with { Device = "", Threads = null, CacheDirectory = null };
}
