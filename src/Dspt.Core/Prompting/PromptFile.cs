using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dspt.Clip;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// What a learned prompt needs besides its numbers: the model it was trained on (sha256 of the
/// checkpoint file), the class names in label order and the prompt layout. Serialised as the
/// JSON sidecar <c>prompt.json</c> next to <c>prompt.safetensors</c> (tensor <c>ctx</c>).
/// <see cref="Training"/> holds free-form provenance (config, loss, data) for people reading it.
/// </summary>
public sealed record PromptInfo(
    string ModelSha256,
    string ModelArchitecture,
    IReadOnlyList<string> ClassNames,
    PromptLayout Layout,
    JsonObject? Training = null)
{
    public string Format { get; init; } = PromptFile.Format;

    public PromptOptions Options(PromptOptions speedups) => speedups with { Layout = Layout };
}

/// <summary>Saves and loads a learned prompt (safetensors + JSON sidecar), both written atomically.</summary>
public static class PromptFile
{
    public const string Format = "dspt-prompt-v1";
    public const string TensorFile = "prompt.safetensors";
    public const string SidecarFile = "prompt.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new PromptLayoutJson<PromptInfo>("layout") },
    };

    public static PromptInfo Describe(PromptLearner learner, string modelSha256, JsonObject? training = null) =>
        new(modelSha256, learner.Clip.Config.ToString(), learner.ClassNames, learner.Options.Layout with { NCtx = learner.ContextCount }, training);

    /// <summary>Writes <c>prompt.safetensors</c> then <c>prompt.json</c> into <paramref name="directory"/>.</summary>
    public static void Save(string directory, Tensor context, PromptInfo info)
    {
        Safetensors.Save(Path.Combine(directory, TensorFile), new Dictionary<string, Tensor> { ["ctx"] = context },
            new Dictionary<string, string> { ["format"] = Format, ["model_sha256"] = info.ModelSha256 });
        AtomicFile.WriteAllText(Path.Combine(directory, SidecarFile), JsonSerializer.Serialize(info, Json) + "\n");
    }

    /// <summary>
    /// Reads a prompt from its directory (or the path of either file). The context is checked
    /// against the sidecar: shape (K, M, W) or (M, W) as the layout says.
    /// </summary>
    public static (Tensor Context, PromptInfo Info) Load(string path)
    {
        string directory = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        string sidecar = Path.Combine(directory, SidecarFile), tensors = Path.Combine(directory, TensorFile);
        if (!File.Exists(sidecar) || !File.Exists(tensors))
            throw new InvalidInputException($"{path}: a saved prompt is a folder with {TensorFile} and {SidecarFile}; {(File.Exists(sidecar) ? tensors : sidecar)} is missing");
        PromptInfo info;
        try
        {
            using var doc = JsonFile.Parse(sidecar);
            info = doc.Deserialize<PromptInfo>(Json)
                ?? throw new InvalidInputException($"{sidecar}: empty JSON");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{sidecar}: not a prompt sidecar: {e.Message}", e);
        }
        if (info.Format != Format)
            throw new InvalidInputException($"{sidecar}: field 'format' is '{info.Format}', expected '{Format}'");
        if (info.ClassNames is null || info.ClassNames.Count == 0 || string.IsNullOrEmpty(info.ModelSha256) || info.Layout is null)
            throw new InvalidInputException($"{sidecar}: fields 'class_names' (non-empty) and 'model_sha256' are required");
        var loaded = Safetensors.Load(tensors);
        if (!loaded.TryGetValue("ctx", out var ctx) || loaded.Count != 1)
        {
            foreach (var t in loaded.Values) t.Dispose();
            throw new InvalidInputException($"{tensors}: expected exactly one tensor 'ctx', found {string.Join(", ", loaded.Keys.Select(k => $"'{k}'"))}");
        }
        if (ctx.dim() < 2)
        {
            string shape = $"{ctx.dim()} dims ([{string.Join(", ", ctx.shape)}])";
            ctx.Dispose();
            throw new InvalidInputException($"{tensors}: tensor 'ctx' has {shape}; a context is (n_ctx, width), or (classes, n_ctx, width) class-specific");
        }
        long[] expected = info.Layout.ClassSpecific ? [info.ClassNames.Count, info.Layout.NCtx, ctx.shape[^1]] : [info.Layout.NCtx, ctx.shape[^1]];
        if (!ctx.shape.SequenceEqual(expected) || !ctx.is_floating_point())
            throw new InvalidInputException($"{tensors}: tensor 'ctx' has shape [{string.Join(", ", ctx.shape)}] ({ctx.dtype}), {sidecar} describes floating [{string.Join(", ", expected)}]");
        return (ctx, info);
    }

    /// <summary>
    /// A learner for <paramref name="clip"/> holding the saved context. Refuses another model:
    /// a context only means something in the embedding space it was trained in.
    /// </summary>
    public static PromptLearner CreateLearner(Tensor context, PromptInfo info, ClipModel clip, string modelSha256,
        Func<PromptOptions, PromptTokens> tokenize, PromptOptions? speedups = null, string source = "prompt")
    {
        if (!string.Equals(info.ModelSha256, modelSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidInputException($"{source}: the prompt was trained on the model with sha256 {info.ModelSha256} ({info.ModelArchitecture}); the given model has sha256 {modelSha256}");
        if (context.shape[^1] != clip.Config.TransformerWidth)
            throw new InvalidInputException($"{source}: context width {context.shape[^1]} does not match the model's text width {clip.Config.TransformerWidth}");
        var options = info.Options(speedups ?? new PromptOptions());
        var learner = new PromptLearner(clip, tokenize(options), info.ClassNames, options, seed: 0);
        using (no_grad()) learner.Context.copy_(context);
        return learner;
    }
}
