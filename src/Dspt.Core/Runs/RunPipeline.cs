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
/// </summary>
public static class RunPipeline
{
    public static TrainingRun Create(RunSpec spec, string folder, RunResources? shared = null, Action<string>? warn = null, Action<string>? status = null)
    {
        spec = spec.Normalized();
        ApplyThreads(spec.Threads);
        var device = DeviceSelection.Parse(spec.Device);
        var run = new RunFolder(folder);
        if (run.HasManifest)
            throw new InvalidInputException($"{run.Path} already holds a run (manifest.json); resume it or choose another folder");
        // Base-to-new: the classes are chosen before the shots are drawn, so noise only ever touches the chosen training shots.
        var data = ClassSubset.Select(DatasetReader.Read(spec.Dataset, spec.DatasetFormat, spec.ReadingOptions(), warn), ClassSubset.Parse(spec.ClassesName));
        var split = FewShot.Draw(data, spec.Shots, NoiseSpec.Parse(spec.Noise), spec.Seed, warn);
        var (model, owns) = Model(spec, device, shared);
        try
        {
            var tokenizer = Tokenizer(spec, shared);   // before the folder exists: a missing vocabulary leaves nothing behind
            Directory.CreateDirectory(run.Path);
            FewShotSplitFile.Save(run.Split, split);
            var manifest = new RunManifest(spec, model.Info.Sha256, model.Model.Config.ToString(), ContentHash.OfFile(run.Split),
                RunManifest.Version(typeof(InvalidInputException).Assembly), RunManifest.Version(typeof(TorchSharp.torch).Assembly),
                MachineInfo.Current(spec.Device), DateTime.UtcNow);
            run.WriteManifest(manifest);
            return new TrainingRun(run, manifest, split, model, owns, tokenizer, Features(spec, shared)) { Status = status };
        }
        catch
        {
            if (owns) model.Dispose();
            throw;
        }
    }

    /// <param name="compute">Changes how to compute (device, threads, cache directory) for this session; nothing else may change.</param>
    public static TrainingRun Resume(string folder, Func<RunSpec, RunSpec>? compute = null, RunResources? shared = null, Action<string>? status = null)
    {
        var run = new RunFolder(folder);
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
            if (model.Info.Sha256 != manifest.ModelSha256)
                throw new InvalidInputException($"{manifest.Spec.Model}: sha256 {model.Info.Sha256} differs from the {manifest.ModelSha256} recorded in {run.Manifest}; the model file changed, so the run cannot continue");
            return new TrainingRun(run, manifest, split, model, owns, Tokenizer(manifest.Spec, shared), Features(manifest.Spec, shared)) { Status = status };
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
        if (Path.GetFullPath(given.Info.Path) != Path.GetFullPath(spec.Model))
            throw new ArgumentException($"the shared model is {given.Info.Path}, the spec names {spec.Model}", nameof(shared));
        return (given, false);
    }

    static ClipTokenizer Tokenizer(RunSpec spec, RunResources? shared) =>
        shared?.Tokenizer ?? ClipTokenizer.Load(ClipTokenizer.Resolve(spec.Vocab, spec.Model));

    static ImageFeatureCache Features(RunSpec spec, RunResources? shared) => shared?.Features ?? new ImageFeatureCache(spec.CacheDirectory);

    static void ApplyThreads(int? threads)
    {
        if (threads is not int t) return;
        if (t < 1) throw new InvalidInputException($"--threads {t}: expected a positive number");
        TorchSharp.torch.set_num_threads(t);
    }
}
