using System.Text.Json;
using Dspt.IO;
using Dspt.Training;

namespace Dspt.Runs;

/// <summary>
/// The files of one training run, all written atomically: manifest.json, the drawn split,
/// checkpoint.safetensors (after every epoch), metrics.jsonl, prompt.safetensors + prompt.json,
/// evaluation.{json,md} with confusion matrices, and final.json last.
/// </summary>
public sealed class RunFolder(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string Manifest => File("manifest.json");
    public string Split => File("fewshot.json");
    public string Checkpoint => File("checkpoint.safetensors");
    public string Metrics => File("metrics.jsonl");
    public string Final => File("final.json");

    string File(string name) => System.IO.Path.Combine(Path, name);

    public bool HasManifest => System.IO.File.Exists(Manifest);
    public bool IsComplete => System.IO.File.Exists(Final);

    /// <summary>
    /// Whether the folder holds a run that completed an epoch (or finished): it is continued with
    /// resume, never overwritten. A run that stopped before its first epoch (bad image, Ctrl-C
    /// while encoding) holds nothing worth keeping, and a new run may replace it.
    /// </summary>
    public bool HasStartedRun => HasManifest && (System.IO.File.Exists(Checkpoint) || IsComplete);

    public void WriteManifest(RunManifest manifest) =>
        AtomicFile.WriteAllText(Manifest, JsonSerializer.Serialize(manifest, RunManifest.Json) + "\n");

    public RunManifest ReadManifest()
    {
        if (!HasManifest)
            throw new InvalidInputException($"{Path}: not a run folder (no manifest.json)");
        try
        {
            using var doc = JsonFile.Parse(Manifest);
            var manifest = doc.Deserialize<RunManifest>(RunManifest.Json)
                ?? throw new InvalidInputException($"{Manifest}: empty");
            if (manifest.Format != RunManifest.FormatTag)
                throw new InvalidInputException($"{Manifest}: field 'format' is '{manifest.Format}', expected '{RunManifest.FormatTag}'");
            if (manifest.Spec is null || manifest.Spec.Train is null)
                throw new InvalidInputException($"{Manifest}: fields 'spec' and 'spec.train' are required");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{Manifest}: not a run manifest: {e.Message}", e);
        }
    }

    public void WriteMetrics(IEnumerable<EpochMetrics> metrics) => AtomicFile.WriteAllText(Metrics, EpochMetrics.ToJsonLines(metrics));

    public void WriteFinal(FinalResult result) =>
        AtomicFile.WriteAllText(Final, JsonSerializer.Serialize(result, FinalResult.Json) + "\n");

    public FinalResult ReadFinal()
    {
        using var doc = JsonFile.Parse(Final);
        try { return doc.Deserialize<FinalResult>(FinalResult.Json) ?? throw new InvalidInputException($"{Final}: empty"); }
        catch (JsonException e) { throw new InvalidInputException($"{Final}: not a run result: {e.Message}", e); }
    }
}
