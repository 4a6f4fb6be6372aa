using Dspt.Data;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Tests.Training;
using static TorchSharp.torch;

namespace Dspt.Tests.Runs;

/// <summary>
/// Run folders and prompt files as the first releases wrote them (JSON written out by hand here,
/// field for field as `dspt train` wrote it then) still load, keep their fingerprint (so their
/// checkpoints resume) and resume to completion.
/// </summary>
public class OldFormatTests
{
    /// <summary>manifest.json of a v1 run: flat prompt fields, position as a lower-case string, no reading options.</summary>
    static string OldManifest(string model, string dataset, string vocab, string cache, string modelSha256, string dataSha256) => $$"""
    {
      "spec": {
        "model": "{{model}}",
        "dataset": "{{dataset}}",
        "dataset_format": null,
        "template": null,
        "vocab": "{{vocab}}",
        "shots": 8,
        "noise": "sym:0.25",
        "loss": "dspt",
        "seed": 2,
        "train": {
          "epochs": 2,
          "learning_rate": 0.05,
          "momentum": 0.9,
          "weight_decay": 0.0005,
          "batch_size": 4,
          "warmup_epochs": 1,
          "warmup_learning_rate": 1E-05,
          "augmented_views": 0,
          "seed": 2
        },
        "n_ctx": 4,
        "ctx_init": null,
        "class_specific": false,
        "position": "middle",
        "device": "cpu",
        "threads": null,
        "cache_directory": "{{cache}}"
      },
      "model_sha256": "{{modelSha256}}",
      "model_architecture": "ViT",
      "data_sha256": "{{dataSha256}}",
      "dspt_version": "0.1.0",
      "torch_sharp_version": "0.107.0",
      "machine": {
        "os": "Linux",
        "runtime": ".NET 10.0.0",
        "architecture": "X64",
        "processor_count": 2,
        "torch_threads": 2,
        "device": "cpu"
      },
      "created_utc": "2026-12-01T10:00:00Z",
      "format": "dspt-run-v1"
    }
    """;

    [Fact]
    public void An_old_manifest_loads_with_its_fingerprint_unchanged()
    {
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["run"]);
        File.WriteAllText(Path.Combine(dir["run"], "manifest.json"),
            OldManifest("/data/models/vit.safetensors", "/data/tiny", "/data/vocab.txt.gz", "/cache", new string('b', 64), new string('a', 64)));
        var folder = new RunFolder(dir["run"]);
        var manifest = folder.ReadManifest();
        Assert.Equal(new PromptLayout(4, null, false, ClassTokenPosition.Middle), manifest.Spec.Prompt);
        Assert.Null(manifest.Spec.Reading);
        // Computed by the code that wrote this layout (before PromptLayout existed): checkpoints of old runs carry it.
        Assert.Equal("181641e4604f6376", manifest.Fingerprint);

        // Written again, the manifest has the same fields in the same order (flat prompt fields, no reading options).
        folder.WriteManifest(manifest);
        var keys = System.Text.Json.JsonDocument.Parse(File.ReadAllText(folder.Manifest)).RootElement.GetProperty("spec").EnumerateObject().Select(p => p.Name);
        Assert.Equal(["model", "dataset", "dataset_format", "template", "vocab", "shots", "noise", "loss", "seed", "train",
            "n_ctx", "ctx_init", "class_specific", "position", "device", "threads", "cache_directory"], keys);
        Assert.Equal("181641e4604f6376", folder.ReadManifest().Fingerprint);
    }

    [Fact]
    public void Reading_options_other_than_the_defaults_are_recorded_and_change_the_fingerprint()
    {
        var spec = RunSpec.Default("/m.safetensors", "/d");
        var withReading = spec with { Reading = new DatasetOptions { SplitSeed = 3 } };
        Assert.Null((spec with { Reading = new DatasetOptions() }).Normalized().Reading);
        Assert.Equal(3, withReading.Normalized().Reading!.SplitSeed);
        Assert.NotEqual(RunManifest.ComputeFingerprint(spec.Normalized(), "m", "d"), RunManifest.ComputeFingerprint(withReading.Normalized(), "m", "d"));
        var json = System.Text.Json.JsonSerializer.Serialize(withReading.Normalized(), RunManifest.Json);
        Assert.Equal(3, System.Text.Json.JsonSerializer.Deserialize<RunSpec>(json, RunManifest.Json)!.ReadingOptions().SplitSeed);
    }

    [Fact]
    public void An_old_prompt_file_loads()
    {
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["prompt"]);
        File.WriteAllText(Path.Combine(dir["prompt"], "prompt.json"), """
        {
          "model_sha256": "0123abcd",
          "model_architecture": "ViT",
          "class_names": ["blue", "green", "red"],
          "n_ctx": 2,
          "ctx_init": null,
          "class_specific": true,
          "position": "front",
          "training": null,
          "format": "dspt-prompt-v1"
        }
        """);
        using (var ctx = arange(3 * 2 * 8, dtype: ScalarType.Float32).reshape(3, 2, 8))
            Safetensors.Save(Path.Combine(dir["prompt"], "prompt.safetensors"), new Dictionary<string, Tensor> { ["ctx"] = ctx });
        var (context, info) = PromptFile.Load(dir["prompt"]);
        using var _ = context;
        Assert.Equal(new PromptLayout(2, null, true, ClassTokenPosition.Front), info.Layout);
        Assert.Equal(["blue", "green", "red"], info.ClassNames);
        Assert.Equal(new long[] { 3, 2, 8 }, context.shape);

        PromptFile.Save(dir["again"], context, info);
        var keys = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir["again"], "prompt.json"))).RootElement.EnumerateObject().Select(p => p.Name);
        Assert.Equal(["model_sha256", "model_architecture", "class_names", "n_ctx", "ctx_init", "class_specific", "position", "training", "format"], keys);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void An_old_run_folder_resumes_to_completion_through_the_library()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        Directory.CreateDirectory(dir["run"]);
        var split = FewShot.Draw(DatasetReader.Read(data.Root), 8, NoiseSpec.Parse("sym:0.25"), 2);
        FewShotSplitFile.Save(Path.Combine(dir["run"], "fewshot.json"), split);
        File.WriteAllText(Path.Combine(dir["run"], "manifest.json"), OldManifest(TinyDataset.Model, data.Root, TinyDataset.Vocab, dir["cache"],
            ContentHash.OfFile(TinyDataset.Model), ContentHash.OfFile(Path.Combine(dir["run"], "fewshot.json"))));

        using var run = RunPipeline.Resume(dir["run"]);
        var result = run.Execute();
        Assert.Equal(("dspt", 2, 12), (result.Method, result.Epochs, result.TestSamples));
        var (context, info) = PromptFile.Load(dir["run"]);
        using var _ = context;
        Assert.Equal(ClassTokenPosition.Middle, info.Layout.Position);
        Assert.Equal(run.Manifest.Fingerprint, info.Training!["run_fingerprint"]!.GetValue<string>());
    }

    /// <summary>fewshot.json as format v1 wrote it: a training item's given label under "label", its clean label under "clean_label".</summary>
    [Fact]
    public void An_old_split_file_loads_with_given_and_true_labels_where_they_were()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["fewshot.json"], """
        {
          "format": "dspt-fewshot-v1",
          "dataset": "tiny",
          "root": "/data/tiny",
          "template": "a photo of a {}.",
          "classnames": ["cat", "dog"],
          "shots": 2,
          "seed": 1,
          "noise": "sym:0.5",
          "train": [
            {"path": "cat/1.png", "label": 1, "clean_label": 0},
            {"path": "cat/2.png", "label": 0, "clean_label": 0},
            {"path": "dog/1.png", "label": 1, "clean_label": 1},
            {"path": "dog/2.png", "label": 1, "clean_label": 1}
          ],
          "val": [{"path": "cat/3.png", "label": 0}],
          "test": [{"path": "dog/3.png", "label": 1}]
        }
        """);
        var split = FewShotSplitFile.Load(dir["fewshot.json"]);
        Assert.Equal([(1, 0), (0, 0), (1, 1), (1, 1)], split.Train.Select(i => (i.Label, i.CleanLabel)));
        Assert.Equal(1, split.Report.Corrupted);
        Assert.Equal(("cat/3.png", 0), (split.Val[0].Path, split.Val[0].Label));

        // Saved again: format v2, the training items as given_label/true_label, and the same split.
        FewShotSplitFile.Save(dir["v2.json"], split);
        var v2 = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir["v2.json"]))!;
        Assert.Equal("dspt-fewshot-v2", (string)v2["format"]!);
        Assert.Equal(["path", "given_label", "true_label"], v2["train"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal([(1, 0), (0, 0), (1, 1), (1, 1)], FewShotSplitFile.Load(dir["v2.json"]).Train.Select(i => (i.Label, i.CleanLabel)));
    }

    /// <summary>One schema for split items: data inspect --json lists the training items with the keys of fewshot.json.</summary>
    [Fact]
    public void Data_inspect_and_the_split_file_name_labels_alike()
    {
        using var dir = Repo.Temp();
        var json = System.Text.Json.Nodes.JsonNode.Parse(Cli.Ok("data", "inspect", "builtin:shape", "--shots", "2", "--noise", "sym:0.5", "--json", "--save", dir["s.json"]))!;
        var file = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir["s.json"]))!;
        Assert.Equal(file["train"]!.ToJsonString(), json["train"]!.ToJsonString());
        Assert.Equal(["path", "given_label", "true_label"], json["train"]![0]!.AsObject().Select(p => p.Key));
    }
}
