using Dspt.Clip;
using Dspt.Data;
using Dspt.Features;
using Dspt.IO;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Runs;

/// <summary>
/// The one way to set up a prompt-tuning run, for the CLI and library users alike:
/// <see cref="Create"/> a run from a <see cref="RunSpec"/> (read the dataset with the spec's
/// reading options, draw the split, check and record the hashes, write manifest.json and
/// fewshot.json), or <see cref="Resume"/> one from its folder; then <see cref="TrainingRun.Execute"/>.
/// Pass <see cref="RunResources"/> to share a loaded model and a feature store between runs.
/// A run holds its folder's <see cref="RunLock"/> from creation or resumption until it is
/// disposed, so no second process (or sweep worker) writes the same folder.
/// </summary>
public static class RunPipeline
{
    /// <param name="corrections">a reviewer's corrections CSV (<see cref="Corrections"/>), applied to the training items
    /// before the draw and recorded in <see cref="RunSpec.Corrections"/> and the split file</param>
    /// <param name="invocation">what asked for the run (the CLI's resolved settings), recorded as <see cref="RunManifest.Invocation"/></param>
    public static TrainingRun Create(RunSpec spec, string folder, RunResources? shared = null, Action<string>? warn = null, Action<string>? status = null,
        string? corrections = null, System.Text.Json.Nodes.JsonObject? invocation = null)
    {
        if (spec.Corrections is not null)
            throw new ArgumentException("RunSpec.Corrections records what Create applied; pass the corrections file instead", nameof(spec));
        spec = spec.Normalized();
        ApplyThreads(spec.Threads);
        var device = DeviceSelection.Parse(spec.Device);
        var run = new RunFolder(folder);
        RefuseStartedRun(run);
        var split = spec.SplitFile is { } saved ? SavedSplit(spec, saved, corrections) : Draw(ref spec, corrections, warn, status);
        var (model, owns) = Model(spec, device, shared);
        RunLock? held = null;
        try
        {
            var tokenizer = Tokenizer(spec, shared);   // before the folder exists: a missing vocabulary leaves nothing behind
            Directory.CreateDirectory(run.Path);
            held = RunLock.Acquire(run.Path, status);
            // Again under the lock: a run started meanwhile into the same folder wins.
            RefuseStartedRun(run);
            if (run.HasManifest)
                status?.Invoke($"{run.Path}: replacing a run that stopped before its first epoch");
            FewShotSplitFile.Save(run.Split, split);
            var manifest = new RunManifest(spec, model.Info.Sha256, model.Model.Config.ToString(), ContentHash.OfFile(run.Split),
                RunManifest.Version(typeof(InvalidInputException).Assembly), RunManifest.Version(typeof(TorchSharp.torch).Assembly),
                MachineInfo.Current(spec.Device), DateTime.UtcNow) { ModelTensorsSha256 = model.Info.TensorsSha256, Invocation = invocation?.DeepClone().AsObject() };
            run.WriteManifest(manifest);
            return new TrainingRun(run, manifest, split, model, owns, tokenizer, Features(spec, shared, warn), held) { Status = status, Images = shared?.Images };
        }
        catch
        {
            held?.Dispose();
            if (owns) model.Dispose();
            throw;
        }
    }

    static FewShotSplit Draw(ref RunSpec spec, string? corrections, Action<string>? warn, Action<string>? status)
    {
        var data = DatasetReader.Read(spec.Dataset, spec.DatasetFormat, spec.ReadingOptions(), warn);
        if (corrections is not null)
        {
            var applied = Corrections.Read(corrections, data);
            data = applied.ApplyTo(data);
            spec = spec with { Corrections = applied.Record() };
            status?.Invoke($"corrections {applied.Describe()}");
        }
        // Base-to-new: the classes are chosen before the shots are drawn, so noise only ever touches the chosen training shots.
        data = ClassSubset.Select(data, ClassSubset.Parse(spec.ClassesName));
        return FewShot.Draw(data, spec.Shots, NoiseSpec.Parse(spec.Noise), spec.Seed, warn) with { Corrections = spec.Corrections };
    }

    /// <summary>The split of <see cref="RunSpec.SplitFile"/>: it already is the drawn, noised (and corrected) training set.</summary>
    static FewShotSplit SavedSplit(RunSpec spec, string file, string? corrections)
    {
        if (corrections is not null)
            throw new InvalidInputException($"{file}: a saved split is trained on as it is; apply the corrections when the split is drawn (dspt data inspect --corrections ... --save)");
        if (spec.ClassesName != "all")
            throw new InvalidInputException($"{file}: a saved split is trained on as it is; --subsample {spec.ClassesName} needs the split drawn from the dataset");
        var split = FewShotSplitFile.Load(file);
        if (split.Shots != spec.Shots || split.Noise.ToString() != spec.Noise)
            throw new InvalidInputException($"{file}: the split has {split.Shots} shots and noise {split.Noise}, the spec says {spec.Shots} and {spec.Noise}");
        return split;
    }

    /// <param name="compute">Changes how to compute (device, threads, cache directory) for this session; nothing else may change.</param>
    public static TrainingRun Resume(string folder, Func<RunSpec, RunSpec>? compute = null, RunResources? shared = null, Action<string>? status = null,
        Action<string>? warn = null)
    {
        var run = new RunFolder(folder);
        run.ReadManifest();   // a folder that holds no run gets no lock file either
        var held = RunLock.Acquire(run.Path, status);
        try
        {
            return ResumeHeld(run, held, compute, shared, status, warn);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    static TrainingRun ResumeHeld(RunFolder run, RunLock held, Func<RunSpec, RunSpec>? compute, RunResources? shared, Action<string>? status, Action<string>? warn)
    {
        var manifest = run.ReadManifest();
        if (compute is not null)
        {
            var spec = compute(manifest.Spec);
            if (spec.WithoutComputeSettings() != manifest.Spec.WithoutComputeSettings())
                throw new ArgumentException("on resume only the device, threads and cache directory may change", nameof(compute));
            manifest = manifest with { Spec = spec };
        }
        ApplyThreads(manifest.Spec.Threads);
        var device = DeviceSelection.Parse(manifest.Spec.Device);
        string hash = ContentHash.OfFile(run.Split);
        if (hash != manifest.DataSha256)
            throw new InvalidInputException($"{run.Split}: sha256 {hash} differs from the {manifest.DataSha256} recorded in {run.Manifest}; the split file was changed, so the run cannot continue");
        var split = FewShotSplitFile.Load(run.Split);
        var (model, owns) = Model(manifest.Spec, device, shared);
        try
        {
            // The same weights in another file format (or re-saved) continue the run; old manifests record only the file's hash.
            if (!model.Info.Matches(manifest.ModelSha256, manifest.ModelTensorsSha256))
                throw new InvalidInputException(manifest.ModelTensorsSha256 is null
                    ? $"{manifest.Spec.Model}: sha256 {model.Info.Sha256} differs from the {manifest.ModelSha256} recorded in {run.Manifest}; the model file changed, so the run cannot continue"
                    : $"{manifest.Spec.Model}: its tensors' sha256 {model.Info.TensorsSha256} differs from the {manifest.ModelTensorsSha256} recorded in {run.Manifest} (model_tensors_sha256); the weights changed, so the run cannot continue");
            return new TrainingRun(run, manifest, split, model, owns, Tokenizer(manifest.Spec, shared), Features(manifest.Spec, shared, warn), held) { Status = status, Images = shared?.Images };
        }
        catch
        {
            if (owns) model.Dispose();
            throw;
        }
    }

    static (LoadedClip Model, bool Owns) Model(RunSpec spec, Device device, RunResources? shared)
    {
        if (shared?.Model is not { } given) return (ClipLoading.Load(spec.Model, ScalarType.Float32, device), true);
        if (Path.GetFullPath(given.Info.Path) != Path.GetFullPath(Builtin.BuiltinModel.Resolve(spec.Model)))
            throw new ArgumentException($"the shared model is {given.Info.Path}, the spec names {spec.Model}", nameof(shared));
        return (given, false);
    }

    static ClipTokenizer Tokenizer(RunSpec spec, RunResources? shared) =>
        shared?.Tokenizer ?? ClipTokenizer.Load(ClipTokenizer.Resolve(spec.Vocab, spec.Model));

    static ImageFeatureCache Features(RunSpec spec, RunResources? shared, Action<string>? warn) =>
        shared?.Features ?? new ImageFeatureCache(spec.CacheDirectory) { Warning = warn };

    static void RefuseStartedRun(RunFolder run)
    {
        if (run.HasStartedRun)
            throw new InvalidInputException($"{run.Path} already holds a run (manifest.json); resume it or choose another folder");
    }

    static void ApplyThreads(int? threads)
    {
        if (threads is not int t) return;
        if (t < 1) throw new InvalidInputException($"--threads {t}: expected a positive number");
        TorchSharp.torch.set_num_threads(t);
    }
}
