using Dspt.Builtin;
using Dspt.Clip;
using Dspt.Features;
using Dspt.Runs;
using Dspt.Prompting;
using Dspt.Text;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Sweeps;

/// <summary>How a sweep computes (not what): output folder, device, feature cache.</summary>
/// <param name="Checkpoints">False: runs write no per-epoch checkpoint (short runs never resumed, as the demo's); an interrupted run starts over.</param>
public sealed record SweepOptions(string OutDir, string Device = "cpu", int? Threads = null, string? CacheDirectory = null, bool Checkpoints = true)
{
    /// <summary>What started the sweep (the CLI's resolved settings), recorded in each new run's manifest.</summary>
    public System.Text.Json.Nodes.JsonObject? Invocation { get; init; }
}

/// <summary>What one process of a sweep did.</summary>
public sealed record SweepOutcome(int Skipped, int Resumed, int Started, IReadOnlyList<(PlannedRun Run, string Error)> Failed);

/// <summary>
/// Runs a slice of a plan in one process: finished runs are skipped, interrupted ones resumed
/// from their checkpoint (the bit-exact resume of <c>dspt train</c>), new ones started. Models,
/// datasets and feature sources are loaded once and shared by every run that uses them, so an
/// image is encoded once per process (and, through the on-disk cache, once across processes).
/// A run whose loss diverges is reported and the sweep goes on; cancellation stops it.
/// </summary>
public sealed class SweepExecutor(SweepPlan plan, string planHash, SweepOptions options) : IDisposable
{
    readonly Dictionary<string, LoadedClip> models = new(StringComparer.Ordinal);
    readonly Dictionary<string, ClipTokenizer> tokenizers = new(StringComparer.Ordinal);
    readonly Dictionary<string, IImageFeatureSource> sources = new(StringComparer.Ordinal);
    readonly ImageFeatureCache cache = new(options.CacheDirectory);
    readonly Device device = DeviceSelection.Parse(options.Device);

    public ImageFeatureCache Cache => cache;

    /// <summary>Images encoded by this process (files and world items); a second sweep over the same cache encodes none.</summary>
    public int ImagesEncoded => cache.Misses + sources.Values.OfType<WorldFeatureSource>().Sum(s => s.Encoded);

    public SweepOutcome Run(IReadOnlyList<PlannedRun> runs, ISweepProgress? progress = null, CancellationToken cancellation = default)
    {
        int skipped = 0, resumed = 0, started = 0;
        var failed = new List<(PlannedRun, string)>();
        for (int k = 0; k < runs.Count; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            var run = runs[k];
            var folder = new RunFolder(Path.Combine(options.OutDir, run.Folder));
            var state = RunStates.Of(options.OutDir, run);
            // RunPipeline.Create/Resume take the folder's RunLock and hold it to the end of the run: a run another process is writing stops this sweep with a message naming that process.
            if (state == RunState.Done)
            {
                var done = folder.ReadFinal();
                if (done.RunId is { } id && id != run.Id)
                    throw new InvalidInputException($"{folder.Final}: holds run {id}, but the plan's run for this folder is {run.Id}; the plan changed this run's settings, so use another --out or delete the folder");
                skipped++;
                progress?.RunFinished(k + 1, runs.Count, run, done, skipped: true);
                continue;
            }
            var display = progress?.RunStarting(k + 1, runs.Count, run, state);
            try
            {
                var result = state == RunState.Partial ? Resume(folder, run, display, cancellation) : Start(folder, run, display, cancellation);
                if (state == RunState.Partial) resumed++; else started++;
                progress?.RunFinished(k + 1, runs.Count, run, result, skipped: false);
            }
            catch (TrainingDivergedException e)
            {
                failed.Add((run, e.Message));
                progress?.Status($"run {run.Id} ({run.Folder}) diverged: {e.Message}");
            }
        }
        return new SweepOutcome(skipped, resumed, started, failed);
    }

    /// <summary>The loaded model and feature source a run uses (shared with every run on the same model and dataset).</summary>
    public (LoadedClip Model, IImageFeatureSource Features) Resources(PlannedRun run)
    {
        var loaded = Model(run.Settings.Model);
        return (loaded, Source(Addresses.Dataset(plan.Resolve(run.Settings.Dataset)), Addresses.Model(plan.Resolve(run.Settings.Model)), loaded));
    }

    FinalResult Start(RunFolder folder, PlannedRun run, ITrainingProgress? display, CancellationToken cancellation)
    {
        var spec = Spec(run);
        using var training = RunPipeline.Create(spec, folder.Path, Shared(run), w => Note($"warning: {w}"), Note, invocation: options.Invocation);
        training.Checkpoints = options.Checkpoints;
        return training.Execute(display, cancellation);
    }

    FinalResult Resume(RunFolder folder, PlannedRun run, ITrainingProgress? display, CancellationToken cancellation)
    {
        var manifest = folder.ReadManifest();
        if (manifest.Spec.Sweep?.RunId != run.Id)
            throw new InvalidInputException($"{folder.Manifest}: holds run {manifest.Spec.Sweep?.RunId ?? "(not from a sweep)"}, but the plan's run for this folder is {run.Id}; use another --out or delete the folder");
        using var training = RunPipeline.Resume(folder.Path, s => s with { Device = options.Device, Threads = options.Threads, CacheDirectory = options.CacheDirectory },
            Shared(run), Note);
        training.Checkpoints = options.Checkpoints;
        return training.Execute(display, cancellation);
    }

    /// <summary>What every run on this run's model and dataset shares: the loaded model, its tokenizer, the feature cache and source.</summary>
    RunResources Shared(PlannedRun run)
    {
        var (loaded, source) = Resources(run);
        return new RunResources(loaded, Tokenizer(run), cache, source);
    }

    void Note(string message) => Status?.Invoke(message);

    /// <summary>Messages outside training (encoding, evaluation, warnings).</summary>
    public Action<string>? Status { get; init; }

    RunSpec Spec(PlannedRun run)
    {
        var s = run.Settings;
        var train = new TrainConfig(s.Epochs, s.Lr, BatchSize: s.BatchSize, AugmentedViews: s.Views, Seed: s.Seed);
        return new RunSpec(Addresses.Model(plan.Resolve(s.Model)), Addresses.Dataset(plan.Resolve(s.Dataset)), s.DatasetFormat, s.Template,
            s.Vocab is null ? null : plan.Resolve(s.Vocab), s.Shots, s.Noise, s.Loss, s.Seed, train,
            new PromptLayout(s.NCtx, s.CtxInit, s.Csc, PromptLayout.ParsePosition(s.Position)),
            options.Device, options.Threads, options.CacheDirectory, Learner: s.Learner, Classes: s.Classes)
        {
            Sweep = new SweepMembership(run.Id, plan.Name, planHash, run.DatasetName, run.ModelName, run.MethodName),
            Select = s.Select == "last" ? null : s.Select,
            EvalTestEvery = s.EvalTestEvery == 0 ? null : s.EvalTestEvery,
        };
    }

    LoadedClip Model(string address)
    {
        string path = plan.Resolve(address);
        if (!models.TryGetValue(path, out var loaded))
        {
            Note($"loading {BuiltinModel.Resolve(path)}");
            models[path] = loaded = ClipLoading.Load(path, ScalarType.Float32, device);
        }
        return loaded;
    }

    ClipTokenizer Tokenizer(PlannedRun run)
    {
        string file = ClipTokenizer.Resolve(run.Settings.Vocab is null ? null : plan.Resolve(run.Settings.Vocab), plan.Resolve(run.Settings.Model));
        if (!tokenizers.TryGetValue(file, out var tokenizer)) tokenizers[file] = tokenizer = ClipTokenizer.Load(file);
        return tokenizer;
    }

    IImageFeatureSource Source(string dataset, string model, LoadedClip loaded)
    {
        string key = $"{model}\n{(BuiltinDataset.Is(dataset) ? dataset : "files")}";
        if (!sources.TryGetValue(key, out var source))
            sources[key] = source = BuiltinDataset.Is(dataset)
                ? new WorldFeatureSource(loaded.Model, loaded.Info.Sha256, BuiltinDataset.Parse(dataset), options.CacheDirectory) { Status = Note }
                : new FileFeatureSource(new ImageFeatureExtractor(loaded.Model, loaded.Info.Sha256, cache, device));
        return source;
    }

    public void Dispose()
    {
        foreach (var s in sources.Values.OfType<IDisposable>()) s.Dispose();
        foreach (var m in models.Values) m.Dispose();
    }
}
