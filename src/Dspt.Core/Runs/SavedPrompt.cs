using Dspt.Clip;
using Dspt.Prompting;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Runs;

/// <summary>
/// A saved prompt opened for use (as `dspt eval` and `dspt export-coop` need it): the prompt
/// file, the model it was trained on (the one recorded in prompt.json unless another path is
/// given; its tensors must be the recorded ones), that model's tokenizer (the recorded vocabulary unless another is given) and the saved learner (any kind).
/// </summary>
public sealed class SavedPrompt : IDisposable
{
    readonly LoadedClip model;

    SavedPrompt(string source, PromptInfo info, LoadedClip model, ClipTokenizer tokenizer, IPromptModel learner)
    {
        Source = source;
        Info = info;
        this.model = model;
        Tokenizer = tokenizer;
        Learner = learner;
    }

    /// <summary>The path the prompt was opened from (a run folder or a prompt folder).</summary>
    public string Source { get; }
    public PromptInfo Info { get; }
    public ClipModel Model => model.Model;
    public string ModelSha256 => model.Info.Sha256;
    /// <summary>Where the model came from, with both its file and its tensors' hash.</summary>
    public IO.CheckpointInfo ModelInfo => model.Info;
    public ClipTokenizer Tokenizer { get; }
    public IPromptModel Learner { get; }
    /// <summary>The classes the learner scores (the trained ones unless others were asked for).</summary>
    public IReadOnlyList<string> ClassNames { get; private init; } = [];

    /// <param name="path">A run folder or a folder with prompt.safetensors + prompt.json.</param>
    /// <param name="modelPath">The CLIP checkpoint; null: the one recorded in prompt.json (training.spec.model).</param>
    /// <param name="vocab">The vocabulary; null: the one recorded in prompt.json (training.spec.vocab) if that file exists, else looked for next to the model.</param>
    /// <param name="classNames">Apply the prompt to these classes (base-to-new); null: the trained ones.</param>
    public static SavedPrompt Open(string path, string? modelPath = null, string? vocab = null, Device? device = null,
        IReadOnlyList<string>? classNames = null)
    {
        var (tensors, info) = PromptFile.Read(path);
        modelPath ??= RecordedModel(info) ?? throw new InvalidInputException($"{path}: prompt.json records no model path; give --model");
        var loaded = ClipLoading.Load(modelPath, ScalarType.Float32, device);
        try
        {
            var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(vocab ?? RecordedVocab(info), modelPath));
            var learner = PromptFile.CreateModel(tensors, info, loaded.Model, loaded.Info.Sha256, tokenizer, source: path, classNames: classNames,
                modelTensorsSha256: loaded.Info.TensorsSha256);
            if (device is not null && device.type != DeviceType.CPU && learner is nn.Module module) module.to(device);
            return new SavedPrompt(path, info, loaded, tokenizer, learner) { ClassNames = classNames ?? info.ClassNames };
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>The model `dspt train` records in prompt.json (training.spec.model), if it is the built-in one or that file (or Hugging Face folder) exists.</summary>
    public static string? RecordedModel(PromptInfo info) =>
        info.Training?["spec"]?["model"]?.GetValue<string>() is { } path
        && (Builtin.BuiltinModel.Is(path) || File.Exists(path) || Directory.Exists(path)) ? path : null;

    /// <summary>The vocabulary path `dspt train` and `dspt import-coop` record in prompt.json (training.spec.vocab), if that file exists.</summary>
    public static string? RecordedVocab(PromptInfo info) =>
        info.Training?["spec"]?["vocab"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var path) && (File.Exists(path) || Directory.Exists(path)) ? path : null;

    /// <summary>The epoch count recorded in prompt.json (training.spec.train.epochs), 0 if none.</summary>
    public int RecordedEpochs => Info.Training?["spec"]?["train"]?["epochs"]?.GetValue<int>() ?? 0;

    public void Dispose()
    {
        Learner.Dispose();
        model.Dispose();
    }
}
