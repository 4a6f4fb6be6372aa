using System.Text.Json.Serialization;
using Dspt.Data;
using Dspt.Features;
using Dspt.Objectives;
using Dspt.Prompting;
using Dspt.Training;

namespace Dspt.Runs;

/// <summary>
/// Everything a run was asked to do. Saved in manifest.json, so a run can be resumed from its
/// folder alone (<see cref="RunPipeline.Resume"/>). <see cref="Device"/>, <see cref="Threads"/> and
/// <see cref="CacheDirectory"/> say how to compute, not what: they may change on resume (a
/// bit-exact continuation needs the same device and thread count, which the manifest records).
/// <see cref="Template"/> is the --template override (null: the dataset's own template);
/// <see cref="Reading"/> the other dataset reading options (null: the defaults, and absent from
/// manifests written before it existed), so the run reads what `dspt data inspect` shows.
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
    PromptLayout Prompt,
    string Device,
    int? Threads,
    string? CacheDirectory,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Learner = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Classes = null)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DatasetOptions? Reading { get; init; }

    /// <summary>The options the dataset is read with: <see cref="Reading"/> and the <see cref="Template"/> override.</summary>
    public DatasetOptions ReadingOptions() => (Reading ?? new DatasetOptions()) with { Template = Template };

    /// <summary>
    /// The --corrections applied to the training items before the draw (null: none; left out of
    /// the JSON then, so runs without corrections keep their fingerprint).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CorrectionsRecord? Corrections { get; init; }

    /// <summary>
    /// A saved few-shot split (<see cref="FewShotSplitFile"/>) the run trains on instead of drawing
    /// one (null: drawn from the dataset; left out of the JSON then).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SplitFile { get; init; }

    /// <summary>Set when the run is part of a sweep (<c>dspt sweep</c>); absent for <c>dspt train</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SweepMembership? Sweep { get; init; }

    /// <summary>"best-val": the epoch with the best few-shot val accuracy is saved and evaluated; null or "last": the last epoch (CoOp).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Select { get; init; }

    /// <summary>Test accuracy every N epochs in metrics.jsonl (null or 0: only at the end).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? EvalTestEvery { get; init; }

    /// <summary>The learner's registry name: coop unless another was chosen.</summary>
    [JsonIgnore]
    public string LearnerName => Learner ?? "coop";

    /// <summary>all, base or new (CoOp's subsample_classes).</summary>
    [JsonIgnore]
    public string ClassesName => Classes ?? "all";

    /// <summary>The parts that decide the result (everything but device, threads, cache and sweep membership).</summary>
    public RunSpec WithoutComputeSettings() => this with { Device = "", Threads = null, CacheDirectory = null, Sweep = null, EvalTestEvery = null };

    /// <summary>
    /// Checks every field and writes names in their canonical form (full paths, the loss and
    /// noise as their parsers print them, default reading options as null), so equal runs get
    /// equal fingerprints.
    /// </summary>
    public RunSpec Normalized()
    {
        if (Shots < 0) throw new InvalidInputException($"shots {Shots}: expected at least 1, or 0 for all images");
        if (Prompt.NCtx < 1) throw new InvalidInputException($"n_ctx {Prompt.NCtx}: expected at least 1");
        if (Threads is < 1) throw new InvalidInputException($"threads {Threads}: expected a positive number");
        if (Template is { } t && !t.Contains("{}")) throw new InvalidInputException($"template '{t}': must contain {{}} where the class name goes");
        var reading = Reading is null ? null : Reading with { Template = null };
        if (reading is not null && IsDefault(reading)) reading = null;
        return this with
        {
            Model = Builtin.Addresses.Model(Model),
            Dataset = Builtin.Addresses.Dataset(Dataset),
            Vocab = Vocab is null ? null : Path.GetFullPath(Vocab),
            Noise = NoiseSpec.Parse(Noise).ToString(),
            Loss = TrainingObjectives.Create(Loss).Name,
            Train = Train.Validated(),
            CacheDirectory = CacheDirectory is null ? null : Path.GetFullPath(CacheDirectory),
            Reading = reading,
            SplitFile = SplitFile is null ? null : Path.GetFullPath(SplitFile),
            Learner = Learner is null || LearnerRegistry.Kind(Learner) == "coop" ? null : Learner.Trim().ToLowerInvariant(),
            Classes = Classes is null || ClassSubset.Parse(Classes) == ClassSelection.All ? null : ClassSubset.Name(ClassSubset.Parse(Classes)),
        };
    }

    static bool IsDefault(DatasetOptions o)
    {
        var d = new DatasetOptions();
        return o.SplitRatios.SequenceEqual(d.SplitRatios) && o.SplitSeed == d.SplitSeed && o.ClassNamesPath == d.ClassNamesPath
               && o.SkipBad == d.SkipBad && o.VerifyImages == d.VerifyImages;
    }

    /// <summary>A spec with CoOp's defaults for the rest: epochs by shots, 16 context vectors, CPU, the default feature cache.</summary>
    public static RunSpec Default(string model, string dataset, int shots = 16, string noise = "none", string loss = "dspt", int seed = 1) =>
        new(model, dataset, null, null, null, shots, noise, loss, seed, TrainConfig.ForShots(shots, seed) with { AugmentedViews = 8 },
            new PromptLayout(), "cpu", null, ImageFeatureCache.DefaultDirectory());
}
