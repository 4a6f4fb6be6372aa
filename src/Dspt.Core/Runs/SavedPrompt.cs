using Dspt.Clip;
using Dspt.Prompting;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Runs;

/// <summary>
/// A saved prompt opened for use (as `dspt eval` and `dspt export-coop` need it): the prompt
/// file, the model it was trained on (the one recorded in prompt.json unless another path is
/// given; its sha256 must match), that model's tokenizer and a learner holding the saved context.
/// </summary>
public sealed class SavedPrompt : IDisposable
{
    readonly LoadedClip model;

    SavedPrompt(string source, PromptInfo info, LoadedClip model, ClipTokenizer tokenizer, PromptLearner learner)
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
    public ClipTokenizer Tokenizer { get; }
    public PromptLearner Learner { get; }

    /// <param name="path">A run folder or a folder with prompt.safetensors + prompt.json.</param>
    /// <param name="modelPath">The CLIP checkpoint; null: the one recorded in prompt.json (training.spec.model).</param>
    /// <param name="vocab">The vocabulary; null: looked for next to the model.</param>
    public static SavedPrompt Open(string path, string? modelPath = null, string? vocab = null, Device? device = null)
    {
        var (context, info) = PromptFile.Load(path);
        using var _ = context;
        modelPath ??= RecordedModel(info) ?? throw new InvalidInputException($"{path}: prompt.json records no model path; give --model");
        var loaded = ClipLoading.Load(modelPath, ScalarType.Float32, device);
        try
        {
            var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(vocab, modelPath));
            var learner = PromptFile.CreateLearner(context, info, loaded.Model, loaded.Info.Sha256,
                options => PromptTokens.Create(tokenizer, info.ClassNames, options, loaded.Model.Config.ContextLength), source: path);
            if (device is not null && device.type != DeviceType.CPU) learner.to(device);
            return new SavedPrompt(path, info, loaded, tokenizer, learner);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>The model path `dspt train` records in prompt.json (training.spec.model), if that file exists.</summary>
    public static string? RecordedModel(PromptInfo info) =>
        info.Training?["spec"]?["model"]?.GetValue<string>() is { } path && File.Exists(path) ? path : null;

    /// <summary>The epoch count recorded in prompt.json (training.spec.train.epochs), 0 if none.</summary>
    public int RecordedEpochs => Info.Training?["spec"]?["train"]?["epochs"]?.GetValue<int>() ?? 0;

    public void Dispose()
    {
        Learner.Dispose();
        model.Dispose();
    }
}
