using System.Text.Json;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Fuzz;

/// <summary>Targets for the files Dspt itself writes and reads back: saved prompts, training
/// checkpoints and run-folder manifests and results.</summary>
public static class RunTargets
{
    static readonly PromptInfo Info = new("ab12", "tiny", ["cat", "dog"], new PromptLayout(4, null, false, ClassTokenPosition.End));

    static void Prompt(string dir)
    {
        Directory.CreateDirectory(dir);
        using var ctx = randn(4, 8);
        PromptFile.Save(dir, ctx, Info);
    }

    static RunManifest Manifest() => new(
        new RunSpec("model.pt", "data", null, null, null, 16, "sym:0.5", "dspt", 1, new TrainConfig(10), new PromptLayout(16), "cpu", null, null),
        "ab12", "tiny", "cd34", "0.1.0", "0.107.0", new MachineInfo("linux", ".NET", "X64", 2, 2, "cpu"), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("prompt-json", "a saved prompt's prompt.json sidecar",
            root =>
            {
                string dir = Path.Combine(root, "prompt");
                Prompt(dir);
                return [File.ReadAllBytes(Path.Combine(dir, PromptFile.SidecarFile))];
            },
            (root, input) =>
            {
                string dir = Path.Combine(root, "prompt");
                File.WriteAllBytes(Path.Combine(dir, PromptFile.SidecarFile), input);
                PromptFile.Load(dir).Context.Dispose();
            });

        yield return new("prompt-safetensors", "a saved prompt's prompt.safetensors (tensor ctx)",
            root =>
            {
                string dir = Path.Combine(root, "prompt");
                Prompt(dir);
                return [File.ReadAllBytes(Path.Combine(dir, PromptFile.TensorFile))];
            },
            (root, input) =>
            {
                string dir = Path.Combine(root, "prompt");
                File.WriteAllBytes(Path.Combine(dir, PromptFile.TensorFile), input);
                PromptFile.Load(dir).Context.Dispose();
            });

        yield return new("train-checkpoint", "a run's training checkpoint (safetensors + metadata with metrics JSON)",
            root =>
            {
                using var ctx = randn(4, 8);
                using var momentum = zeros(4, 8);
                var metrics = new List<EpochMetrics> { new(1, 0.5, 0.002, 0.75, 32, 1, 0.1) };
                var checkpoint = new TrainingCheckpoint(new Dictionary<string, Tensor> { ["ctx"] = ctx }, new Dictionary<string, Tensor> { ["ctx"] = momentum }, 1, "fp", metrics);
                return [Seeds.Written(root, "checkpoint.safetensors", checkpoint.Save)];
            },
            (root, input) =>
            {
                string path = Path.Combine(root, "checkpoint.safetensors");
                File.WriteAllBytes(path, input);
                TrainingCheckpoint.Load(path).Dispose();
            });

        yield return new("run-manifest", "a run folder's manifest.json",
            root =>
            {
                var folder = new RunFolder(Path.Combine(root, "run"));
                Directory.CreateDirectory(folder.Path);
                folder.WriteManifest(Manifest());
                return [File.ReadAllBytes(folder.Manifest)];
            },
            (root, input) =>
            {
                var folder = new RunFolder(Path.Combine(root, "run"));
                File.WriteAllBytes(folder.Manifest, input);
                folder.ReadManifest();
            });

        yield return new("run-final", "a run folder's final result JSON",
            root =>
            {
                var folder = new RunFolder(Path.Combine(root, "run"));
                Directory.CreateDirectory(folder.Path);
                return [JsonSerializer.SerializeToUtf8Bytes(new FinalResult("dspt", "sym", 0.5, 1, 0.8, 0.79, 0.7, 100, 32, 10, 1.5), RunManifest.Json)];
            },
            (root, input) =>
            {
                var folder = new RunFolder(Path.Combine(root, "run"));
                File.WriteAllBytes(folder.Final, input);
                folder.ReadFinal();
            });
    }
}
