using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dspt.Clip;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// What a learned prompt needs besides its numbers: the model it was trained on (sha256 of the
/// checkpoint file), the class names in label order, the learner (<see cref="Learner"/>, coop
/// when absent: CoOp prompts are still written as format v1, byte for byte the layout they had
/// before other learners existed; other learners as v2 with a 'learner' field) and the layout.
/// Serialised as the JSON sidecar <c>prompt.json</c> next to <c>prompt.safetensors</c> (the
/// learner's trainable tensors by name: <c>ctx</c> for CoOp and KgCoOp, also
/// <c>meta_net.*</c> for CoCoOp). <see cref="Training"/> holds free-form provenance.
/// </summary>
public sealed record PromptInfo(
    string ModelSha256,
    string ModelArchitecture,
    IReadOnlyList<string> ClassNames,
    PromptLayout Layout,
    JsonObject? Training = null)
{
    public string Format { get; init; } = PromptFile.Format;

    /// <summary>The learner as stored: absent for CoOp, so CoOp's files stay exactly v1.</summary>
    [JsonPropertyName("learner"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StoredLearner { get; init; }

    /// <summary>The learner's registry kind: coop, cocoop or kgcoop.</summary>
    [JsonIgnore]
    public string Learner => StoredLearner ?? "coop";

    /// <summary>KgCoOp: the weight W of its knowledge-guided term (training only; kept for provenance and re-training).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? KgWeight { get; init; }

    /// <summary>KgCoOp: the hand-crafted template its guide features came from.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HandcraftedTemplate { get; init; }

    /// <summary>The registry name that rebuilds this learner ("kgcoop:W" for KgCoOp).</summary>
    [JsonIgnore]
    public string LearnerName => Learner == "kgcoop" && KgWeight is double w
        ? $"kgcoop:{w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : Learner;

    /// <summary>
    /// The hash of the model's tensors (<see cref="IO.TensorHash"/>): the same weights in another
    /// file format are accepted. Null in files written before it was recorded (they need the same file).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ModelTensorsSha256 { get; init; }

    public PromptOptions Options(PromptOptions speedups) => speedups with { Layout = Layout };
}

/// <summary>Saves and loads a learned prompt (safetensors + JSON sidecar), both written atomically.</summary>
public static class PromptFile
{
    public const string Format = "dspt-prompt-v2";
    /// <summary>Files written before learners other than CoOp existed: CoOp, tensor ctx.</summary>
    public const string FormatV1 = "dspt-prompt-v1";
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

    /// <summary>Any learner's description: CoOp's layout fields plus its kind and KgCoOp's guide.</summary>
    public static PromptInfo Describe(IPromptModel model, string modelSha256, JsonObject? training = null) => model switch
    {
        PromptLearner coop => Describe(coop, modelSha256, training),
        CoCoOpLearner co => new PromptInfo(modelSha256, co.Clip.Config.ToString(), co.ClassNames,
            co.Options.Layout with { NCtx = co.ContextCount }, training) { StoredLearner = "cocoop" },
        KgCoOpLearner kg => Describe(kg.Prompt, modelSha256, training) with
        {
            StoredLearner = "kgcoop", KgWeight = kg.Weight, HandcraftedTemplate = kg.Template,
        },
        _ => throw new ArgumentException($"no prompt description for a {model.Kind} model"),
    };

    /// <summary>Writes <c>prompt.safetensors</c> (tensor ctx) then <c>prompt.json</c> into <paramref name="directory"/>.</summary>
    public static void Save(string directory, Tensor context, PromptInfo info) =>
        Save(directory, new Dictionary<string, Tensor> { ["ctx"] = context }, info);

    /// <summary>Writes every trainable tensor of <paramref name="model"/> by name, then the sidecar.</summary>
    public static void Save(string directory, IPromptModel model, PromptInfo info) =>
        Save(directory, model.Trainable.ToDictionary(t => t.Name, t => t.Tensor.detach().cpu()), info);

    /// <summary>CoOp prompts are written exactly as before other learners existed (format v1, no learner field), others as v2.</summary>
    static void Save(string directory, Dictionary<string, Tensor> tensors, PromptInfo info)
    {
        bool coop = info.Learner == "coop";
        string format = coop ? FormatV1 : Format;
        var metadata = new Dictionary<string, string> { ["format"] = format, ["model_sha256"] = info.ModelSha256 };
        if (!coop) metadata["learner"] = info.Learner;
        Safetensors.Save(Path.Combine(directory, TensorFile), tensors, metadata);
        AtomicFile.WriteAllText(Path.Combine(directory, SidecarFile),
            JsonSerializer.Serialize(info with { Format = format, StoredLearner = coop ? null : info.Learner }, Json) + "\n");
    }

    /// <summary>
    /// Reads a CoOp prompt from its directory (or the path of either file). The context is
    /// checked against the sidecar: shape (K, M, W) or (M, W) as the layout says. Prompts of other
    /// learners are refused here; <see cref="Read"/> reads any.
    /// </summary>
    public static (Tensor Context, PromptInfo Info) Load(string path)
    {
        var (tensors, info) = Read(path);
        if (info.Learner != "coop")
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidInputException($"{path}: a {info.Learner} prompt, not CoOp's (read it as a prompt model)");
        }
        return (tensors["ctx"], info);
    }

    /// <summary>Reads any learner's prompt: its named tensors and its sidecar (v1 files: CoOp).</summary>
    public static (Dictionary<string, Tensor> Tensors, PromptInfo Info) Read(string path)
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
        if (info.Format is not (Format or FormatV1))
            throw new InvalidInputException($"{sidecar}: field 'format' is '{info.Format}', expected '{Format}' (or '{FormatV1}')");
        if (info.Format == FormatV1 && info.Learner != "coop")
            throw new InvalidInputException($"{sidecar}: format '{FormatV1}' holds CoOp prompts only, but 'learner' is '{info.Learner}'");
        if (info.ClassNames is null || info.ClassNames.Count == 0 || string.IsNullOrEmpty(info.ModelSha256) || info.Layout is null)
            throw new InvalidInputException($"{sidecar}: fields 'class_names' (non-empty) and 'model_sha256' are required");
        if (info.Learner is not ("coop" or "cocoop" or "kgcoop"))
            throw new InvalidInputException($"{sidecar}: field 'learner' is '{info.Learner}', expected coop, cocoop or kgcoop");
        if (info.Learner == "kgcoop" && (string.IsNullOrEmpty(info.HandcraftedTemplate) || !info.HandcraftedTemplate.Contains("{}")))
            throw new InvalidInputException($"{sidecar}: a kgcoop prompt needs 'handcrafted_template' with {{}} where the class name goes");
        var loaded = Safetensors.Load(tensors);
        string? problem = null;
        if (!loaded.TryGetValue("ctx", out var ctx))
            problem = $"{tensors}: no tensor 'ctx' (found {string.Join(", ", loaded.Keys.Select(k => $"'{k}'"))})";
        else if (info.Learner != "cocoop" && loaded.Count != 1)
            problem = $"{tensors}: expected exactly one tensor 'ctx' for a {info.Learner} prompt, found {string.Join(", ", loaded.Keys.Select(k => $"'{k}'"))}";
        else if (ctx.dim() < 2)
            problem = $"{tensors}: tensor 'ctx' has {ctx.dim()} dims ([{string.Join(", ", ctx.shape)}]); a context is (n_ctx, width), or (classes, n_ctx, width) class-specific";
        else
        {
            long[] expected = info.Layout.ClassSpecific ? [info.ClassNames.Count, info.Layout.NCtx, ctx.shape[^1]] : [info.Layout.NCtx, ctx.shape[^1]];
            if (!ctx.shape.SequenceEqual(expected) || !ctx.is_floating_point())
                problem = $"{tensors}: tensor 'ctx' has shape [{string.Join(", ", ctx.shape)}] ({ctx.dtype}), {sidecar} describes floating [{string.Join(", ", expected)}]";
        }
        if (problem is not null)
        {
            foreach (var t in loaded.Values) t.Dispose();
            throw new InvalidInputException(problem);
        }
        return (loaded, info);
    }

    /// <summary>
    /// The saved learner for <paramref name="clip"/>, rebuilt from the sidecar and holding the
    /// saved tensors. Refuses another model: the tensors only mean something in the embedding
    /// space they were trained in. With <paramref name="classNames"/> other than the trained ones
    /// the prompt is applied to those classes (base-to-new): the context and meta-net do not
    /// depend on the classes, but a class-specific context has one context per trained class and
    /// cannot transfer (an error).
    /// </summary>
    public static IPromptModel CreateModel(IReadOnlyDictionary<string, Tensor> tensors, PromptInfo info, ClipModel clip, string modelSha256,
        Text.ClipTokenizer tokenizer, PromptOptions? speedups = null, string source = "prompt", IReadOnlyList<string>? classNames = null,
        string? modelTensorsSha256 = null)
    {
        CheckModel(tensors["ctx"], info, clip, modelSha256, modelTensorsSha256, source);
        classNames ??= info.ClassNames;
        if (info.Layout.ClassSpecific && !classNames.SequenceEqual(info.ClassNames))
            throw new InvalidInputException($"{source}: a class-specific context (--csc: one context per trained class) cannot be applied to other classes; evaluate it on the {info.ClassNames.Count} classes it was trained on");
        var setup = new LearnerSetup(clip, tokenizer, classNames, info.Options(speedups ?? new PromptOptions()), info.HandcraftedTemplate ?? "{}", 0);
        var model = LearnerRegistry.Create(info.LearnerName, setup);
        try
        {
            model.LoadTrainable(tensors, source);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <param name="modelTensorsSha256">the given model's tensor hash: matching the recorded one accepts the same weights in another file</param>
    static void CheckModel(Tensor context, PromptInfo info, ClipModel clip, string modelSha256, string? modelTensorsSha256, string source)
    {
        bool sameFile = string.Equals(info.ModelSha256, modelSha256, StringComparison.OrdinalIgnoreCase);
        bool sameTensors = info.ModelTensorsSha256 is { Length: > 0 } recorded && string.Equals(recorded, modelTensorsSha256, StringComparison.OrdinalIgnoreCase);
        if (!sameFile && !sameTensors)
            throw new InvalidInputException(info.ModelTensorsSha256 is null || modelTensorsSha256 is null
                ? $"{source}: the prompt was trained on the model with sha256 {info.ModelSha256} ({info.ModelArchitecture}); the given model has sha256 {modelSha256}"
                : $"{source}: the prompt was trained on the model whose tensors have sha256 {info.ModelTensorsSha256} ({info.ModelArchitecture}, file sha256 {info.ModelSha256}); the given model's tensors have sha256 {modelTensorsSha256}: other weights");
        if (context.shape[^1] != clip.Config.TransformerWidth)
            throw new InvalidInputException($"{source}: context width {context.shape[^1]} does not match the model's text width {clip.Config.TransformerWidth}");
    }

    /// <summary>
    /// A learner for <paramref name="clip"/> holding the saved context. Refuses another model:
    /// a context only means something in the embedding space it was trained in.
    /// </summary>
    public static PromptLearner CreateLearner(Tensor context, PromptInfo info, ClipModel clip, string modelSha256,
        Func<PromptOptions, PromptTokens> tokenize, PromptOptions? speedups = null, string source = "prompt")
    {
        CheckModel(context, info, clip, modelSha256, null, source);
        var options = info.Options(speedups ?? new PromptOptions());
        var learner = new PromptLearner(clip, tokenize(options), info.ClassNames, options, seed: 0);
        using (no_grad()) learner.Context.copy_(context);
        return learner;
    }
}
