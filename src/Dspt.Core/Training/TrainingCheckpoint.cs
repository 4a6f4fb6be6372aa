using System.Globalization;
using System.Text.Json;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Training;

/// <summary>
/// Everything needed to continue a run exactly: the context vectors, SGD's momentum buffer,
/// how many epochs are complete and their metrics. Random streams are derived from (seed, epoch)
/// (<see cref="SeedStreams.Named"/>), so no generator state is stored. <see cref="Fingerprint"/>
/// identifies the run's settings; resuming with different settings is refused.
/// </summary>
public sealed record TrainingCheckpoint(
    Tensor Context,
    Tensor? MomentumBuffer,
    int CompletedEpochs,
    string Fingerprint,
    IReadOnlyList<EpochMetrics> Metrics) : IDisposable
{
    const string Format = "dspt-training-checkpoint-v1";

    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor> { ["ctx"] = Context };
        if (MomentumBuffer is not null) tensors["momentum_buffer"] = MomentumBuffer;
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
        if (Field("format") != Format)
            throw new InvalidInputException($"{path}: checkpoint format '{Field("format")}', expected '{Format}'");
        if (!int.TryParse(Field("completed_epochs"), NumberStyles.None, CultureInfo.InvariantCulture, out int epochs))
            throw new InvalidInputException($"{path}: checkpoint metadata 'completed_epochs' = '{Field("completed_epochs")}' is not a non-negative integer");
        if (!tensors.TryGetValue("ctx", out var ctx))
            throw new InvalidInputException($"{path}: checkpoint has no tensor 'ctx'");
        tensors.TryGetValue("momentum_buffer", out var momentum);
        if (momentum is not null && !momentum.shape.SequenceEqual(ctx.shape))
            throw new InvalidInputException($"{path}: checkpoint tensor 'momentum_buffer' has shape [{string.Join(", ", momentum.shape)}], expected ctx's [{string.Join(", ", ctx.shape)}]");
        List<EpochMetrics> metrics;
        try { metrics = JsonSerializer.Deserialize<List<EpochMetrics>>(Field("metrics"), EpochMetrics.Json) ?? []; }
        catch (JsonException e) { throw new InvalidInputException($"{path}: checkpoint metadata 'metrics' is not a JSON list of epoch metrics: {e.Message}", e); }
        if (metrics.Count != epochs)
            throw new InvalidInputException($"{path}: checkpoint holds metrics for {metrics.Count} epochs but 'completed_epochs' = {epochs}");
        return new TrainingCheckpoint(ctx, momentum, epochs, Field("fingerprint"), metrics);
    }

    public void Dispose()
    {
        Context.Dispose();
        MomentumBuffer?.Dispose();
    }
}
