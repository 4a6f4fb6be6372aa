using System.Globalization;
using System.Text.Json;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Training;

/// <summary>
/// Everything needed to continue a run exactly: every trainable tensor by name, SGD's momentum
/// buffer of each (absent before the first step), how many epochs are complete and their
/// metrics. Random streams are derived from (seed, epoch)
/// (<see cref="SeedStreams.Named"/>), so no generator state is stored.
/// <see cref="Fingerprint"/> identifies the run's settings; resuming with different settings
/// is refused. Stored as safetensors: <c>param/NAME</c> and <c>momentum/NAME</c> (format v2);
/// v1 files (CoOp only: <c>ctx</c>, <c>momentum_buffer</c>) still load.
/// </summary>
public sealed record TrainingCheckpoint(
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, Tensor> Momentum,
    int CompletedEpochs,
    string Fingerprint,
    IReadOnlyList<EpochMetrics> Metrics) : IDisposable
{
    const string Format = "dspt-training-checkpoint-v2";
    const string FormatV1 = "dspt-training-checkpoint-v1";
    const string ParamPrefix = "param/", MomentumPrefix = "momentum/";

    /// <summary>CoOp's context (the tensor named ctx).</summary>
    public Tensor Context => Tensors["ctx"];
    /// <summary>The momentum buffer of ctx, if a step was taken.</summary>
    public Tensor? MomentumBuffer => Momentum.GetValueOrDefault("ctx");

    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in Tensors) tensors[ParamPrefix + name] = t;
        foreach (var (name, t) in Momentum) tensors[MomentumPrefix + name] = t;
        Safetensors.Save(path, tensors, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["completed_epochs"] = CompletedEpochs.ToString(CultureInfo.InvariantCulture),
            ["fingerprint"] = Fingerprint,
            ["metrics"] = JsonSerializer.Serialize(Metrics, EpochMetrics.Json),
        });
    }

    public static TrainingCheckpoint Load(string path)
    {
        var tensors = Safetensors.Load(path, out var meta);
        string Field(string name) => meta.TryGetValue(name, out var v) ? v
            : throw new InvalidInputException($"{path}: checkpoint metadata has no '{name}' (not a dspt training checkpoint?)");
        string format = Field("format");
        if (format is not (Format or FormatV1))
            throw new InvalidInputException($"{path}: checkpoint format '{format}', expected '{Format}' (or '{FormatV1}')");
        if (!int.TryParse(Field("completed_epochs"), NumberStyles.None, CultureInfo.InvariantCulture, out int epochs))
            throw new InvalidInputException($"{path}: checkpoint metadata 'completed_epochs' = '{Field("completed_epochs")}' is not a non-negative integer");
        var (parameters, momentum) = format == FormatV1 ? SplitV1(tensors, path) : Split(tensors, path);
        if (parameters.Count == 0)
            throw new InvalidInputException($"{path}: checkpoint has no trainable tensor ('{ParamPrefix}NAME')");
        foreach (var (name, m) in momentum)
        {
            if (!parameters.TryGetValue(name, out var p))
                throw new InvalidInputException($"{path}: checkpoint tensor '{MomentumPrefix}{name}' has no '{ParamPrefix}{name}'");
            if (!m.shape.SequenceEqual(p.shape))
                throw new InvalidInputException($"{path}: checkpoint momentum of '{name}' has shape [{string.Join(", ", m.shape)}], expected [{string.Join(", ", p.shape)}]");
        }
        List<EpochMetrics> metrics;
        try { metrics = JsonSerializer.Deserialize<List<EpochMetrics>>(Field("metrics"), EpochMetrics.Json) ?? []; }
        catch (JsonException e) { throw new InvalidInputException($"{path}: checkpoint metadata 'metrics' is not a JSON list of epoch metrics: {e.Message}", e); }
        if (metrics.Count != epochs)
            throw new InvalidInputException($"{path}: checkpoint holds metrics for {metrics.Count} epochs but 'completed_epochs' = {epochs}");
        return new TrainingCheckpoint(parameters, momentum, epochs, Field("fingerprint"), metrics);
    }

    static (Dictionary<string, Tensor>, Dictionary<string, Tensor>) Split(Dictionary<string, Tensor> tensors, string path)
    {
        var parameters = new Dictionary<string, Tensor>();
        var momentum = new Dictionary<string, Tensor>();
        foreach (var (key, t) in tensors)
        {
            if (key.StartsWith(ParamPrefix, StringComparison.Ordinal)) parameters[key[ParamPrefix.Length..]] = t;
            else if (key.StartsWith(MomentumPrefix, StringComparison.Ordinal)) momentum[key[MomentumPrefix.Length..]] = t;
            else throw new InvalidInputException($"{path}: unexpected checkpoint tensor '{key}' (expected '{ParamPrefix}NAME' or '{MomentumPrefix}NAME')");
        }
        return (parameters, momentum);
    }

    /// <summary>v1: CoOp's ctx and its momentum buffer under their own names.</summary>
    static (Dictionary<string, Tensor>, Dictionary<string, Tensor>) SplitV1(Dictionary<string, Tensor> tensors, string path)
    {
        if (!tensors.TryGetValue("ctx", out var ctx))
            throw new InvalidInputException($"{path}: checkpoint has no tensor 'ctx'");
        var momentum = new Dictionary<string, Tensor>();
        if (tensors.TryGetValue("momentum_buffer", out var m)) momentum["ctx"] = m;
        return (new Dictionary<string, Tensor> { ["ctx"] = ctx }, momentum);
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        foreach (var t in Momentum.Values) t.Dispose();
    }
}
