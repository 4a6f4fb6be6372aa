using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dspt.Runs;
using Dspt.Tests.Training;

namespace Dspt.Tests.Runs;

/// <summary>One short training run on the tiny dataset that the tests below use (classify, eval, export, import).</summary>
public sealed class TrainedRun : IDisposable
{
    public TempDir Dir { get; } = Repo.Temp();
    internal TinyDataset Data { get; }
    public string Run => Dir["run"];
    public string Cache => Dir["cache"];

    public TrainedRun()
    {
        Data = TinyDataset.Write(Dir["data"]);
        var (code, _, err) = Cli.Run(Data.TrainArgs(Run, Cache, epochs: 1, "--views", "0"));
        if (code != 0) throw new InvalidOperationException(err);
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>
/// Using a trained prompt (issue 13, item 1): classify new images with it, per-image predictions
/// from train and eval, zero-shot eval without training, the recorded vocabulary reused, the
/// model recognised by its tensors in another file format, and every error a clear exit 2.
/// </summary>
public class UsePromptTests(TrainedRun trained) : IClassFixture<TrainedRun>
{
    static string VitTiny(string file) => Repo.Fixture("clip-models", "vit-tiny", file);

    static void Refused((int Code, string Out, string Err) r, params string[] expected)
    {
        Assert.True(r.Code == 2, $"exit {r.Code}: {r.Err}");
        Assert.Contains("error: ", r.Err);
        Assert.DoesNotContain("   at ", r.Err);   // no stack trace
        foreach (var e in expected) Assert.Contains(e, r.Err);
    }

    static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second))];
    }

    [Fact]
    public void Train_writes_predictions_csv_whose_accuracy_is_the_runs()
    {
        string path = Path.Combine(trained.Run, "predictions.csv");
        Assert.Equal("split,path,given_label,true_label,predicted,probability,top5", File.ReadLines(path).First());
        var all = ReadCsv(path);
        var rows = all.Where(r => r["split"] == "test").ToList();
        Assert.Equal(12, rows.Count);
        var final = new RunFolder(trained.Run).ReadFinal();
        Assert.Equal(final.Accuracy, 100.0 * rows.Count(r => r["predicted"] == r["given_label"]) / rows.Count, 9);

        // The training shots: given labels after the synthetic noise, and the clean ones it replaced.
        var split = Dspt.Data.FewShotSplitFile.Load(Path.Combine(trained.Run, "fewshot.json"));
        var shots = all.Where(r => r["split"] == "train").ToList();
        Assert.Equal(["train", "test"], all.Select(r => r["split"]).Distinct());
        Assert.Equal(split.Train.Select(i => (i.Path, split.ClassNames[i.Label], split.ClassNames[i.CleanLabel])),
            shots.Select(r => (r["path"], r["given_label"], r["true_label"])));
        Assert.Equal(split.Report.Corrupted, shots.Count(r => r["given_label"] != r["true_label"]));
        Assert.True(split.Report.Corrupted > 0);
        foreach (var r in all)
        {
            if (r["split"] == "test") Assert.Equal("", r["true_label"]);   // a folder's labels are only given
            var top = r["top5"].Split(';').Select(t => (Label: t[..t.LastIndexOf(':')], P: double.Parse(t[(t.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))).ToList();
            Assert.Equal(4, top.Count);   // four classes: all of them
            Assert.Equal(r["predicted"], top[0].Label);
            Assert.Equal(double.Parse(r["probability"], CultureInfo.InvariantCulture), top[0].P);
            Assert.Equal(1.0, top.Sum(t => t.P), 4);
            Assert.True(top.Zip(top.Skip(1)).All(p => p.First.P >= p.Second.P));
            Assert.Contains(r["true_label"] is "" ? r["given_label"] : r["true_label"], r["path"]);   // <split>/<class>/NNN.png
        }
    }

    [Fact]
    public void Classify_with_the_runs_prompt_predicts_what_eval_predicted()
    {
        var rows = ReadCsv(Path.Combine(trained.Run, "predictions.csv")).Where(r => r["split"] == "test").ToDictionary(r => r["path"]);
        // No --vocab and no --model: both come from the run's record.
        var (code, output, err) = Cli.Run("classify", "--prompt", trained.Run, "--json", "--top-k", "2", Path.Combine(trained.Data.Root, "test"));
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);   // the folder recursed: test/<class>/*.png
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            string image = doc.RootElement.GetProperty("image").GetString()!;
            var top = doc.RootElement.GetProperty("top").EnumerateArray().ToList();
            Assert.Equal(2, top.Count);
            var expected = rows[Path.GetRelativePath(trained.Data.Root, image).Replace('\\', '/')];
            Assert.Equal(expected["predicted"], top[0].GetProperty("label").GetString());
            // eval encodes with the same transform one image at a time; only the last matmul's blocking may differ.
            // (predictions.csv rounds to 6 decimals)
            Assert.InRange(Math.Abs(double.Parse(expected["probability"], CultureInfo.InvariantCulture) - top[0].GetProperty("probability").GetDouble()), 0, 2e-6);
        }

        var table = Cli.Ok("classify", "--prompt", trained.Run, Path.Combine(trained.Data.Root, "test", "red"));
        Assert.Equal(3 + 2, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("| image | top-1 | top-2 | top-3 | top-4 |", table);
    }

    [Fact]
    public void Classify_reports_and_skips_undecodable_files()
    {
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["images/sub"]);
        File.Copy(Path.Combine(trained.Data.Root, "test", "red", "000.png"), dir["images/sub/red.png"]);
        File.WriteAllText(dir["images/broken.png"], "not a png");
        File.WriteAllBytes(dir["images/empty.jpg"], []);
        File.WriteAllText(dir["notes.txt"], "hello");
        var (code, output, err) = Cli.Run("classify", "--prompt", trained.Run, dir["images"], dir["notes.txt"]);
        Assert.True(code == 0, err);
        Assert.Contains("red.png", output);
        Assert.Contains("skipped 3 that could not be decoded", err);
        Assert.Contains($"warning: skipped {dir["images/broken.png"]}", err);
        Assert.Contains("notes.txt", err);
        Assert.DoesNotContain("broken", output);

        Refused(Cli.Run("classify", "--prompt", trained.Run, dir["images/broken.png"]), "none of the 1 files could be decoded");
    }

    [Fact]
    public void Classify_errors_are_clear()
    {
        string image = Path.Combine(trained.Data.Root, "test", "red", "000.png");
        Refused(Cli.Run("classify", "--prompt", trained.Run, "--template", "a {}.", image), "--template");
        Refused(Cli.Run("classify", "--prompt", trained.Dir["nothing"], image), "prompt.json");
        Refused(Cli.Run("classify", "--classes", "a,b", image), "--model");
        Refused(Cli.Run("classify", "--prompt", trained.Run, "--dtype", "bf16", image), "fp32");
        Refused(Cli.Run("classify", "--prompt", trained.Run, trained.Dir["missing.png"]), "missing.png");
        Refused(Cli.Run("classify", "--prompt", trained.Run, "--model", Repo.Fixture("clip-models", "rn-tiny", "weights.openai.safetensors"), image),
            "tensors have sha256");
    }

    [Fact]
    public void Classify_applies_the_prompt_to_other_classes_when_asked()
    {
        string image = Path.Combine(trained.Data.Root, "test", "red", "000.png");
        var output = Cli.Ok("classify", "--prompt", trained.Run, "--classes", "crimson,teal,violet", "--json", image);
        using var doc = JsonDocument.Parse(output.Trim());
        Assert.Equal(["crimson", "teal", "violet"], doc.RootElement.GetProperty("top").EnumerateArray().Select(t => t.GetProperty("label").GetString()!).Order());
    }

    [Fact]
    public void Eval_reuses_the_recorded_vocabulary_and_writes_predictions_like_train()
    {
        var (code, output, err) = Cli.Run("eval", "--prompt", trained.Run, "--dataset", trained.Data.Root, "--cache-dir", trained.Cache, "--out", trained.Dir["eval"]);
        Assert.True(code == 0, err);
        var final = new RunFolder(trained.Run).ReadFinal();
        Assert.Contains($"| {final.Accuracy:F2} |", output);
        var lines = File.ReadAllLines(Path.Combine(trained.Run, "predictions.csv"));
        Assert.Equal([lines[0], .. lines.Where(l => l.StartsWith("test,", StringComparison.Ordinal))], File.ReadAllLines(trained.Dir["eval/predictions.csv"]));

        var export = Cli.Run("export-coop", "--prompt", trained.Run, "--out", trained.Dir["coop/model.pth.tar-1"]);
        Assert.True(export.Code == 0, export.Err);
    }

    [Fact]
    public void Eval_zero_shot_needs_no_prompt_and_gives_the_runs_reference_row()
    {
        var (code, output, err) = Cli.Run("eval", "--zero-shot", "--model", TinyDataset.Model, "--vocab", TinyDataset.Vocab, "--dataset", trained.Data.Root,
            "--cache-dir", trained.Cache, "--out", trained.Dir["zs"]);
        Assert.True(code == 0, err);
        var final = new RunFolder(trained.Run).ReadFinal();
        Assert.Contains($"| zero-shot CLIP | 12 | {final.ZeroShotAccuracy:F2} |", output);
        Assert.DoesNotContain("prompt (", output);
        var rows = ReadCsv(trained.Dir["zs/predictions.csv"]);
        Assert.Equal(final.ZeroShotAccuracy, 100.0 * rows.Count(r => r["predicted"] == r["given_label"]) / rows.Count, 9);

        Refused(Cli.Run("eval", "--dataset", trained.Data.Root), "--prompt", "--zero-shot");
        Refused(Cli.Run("eval", "--zero-shot", "--prompt", trained.Run, "--dataset", trained.Data.Root), "not both");
        Refused(Cli.Run("eval", "--zero-shot", "--dataset", trained.Data.Root), "--model");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Eval_zero_shot_on_the_builtin_model_and_world()
    {
        using var dir = Repo.Temp();
        var (code, output, err) = Cli.Run("eval", "--zero-shot", "--model", "builtin", "--dataset", "builtin:shape", "--part", "val", "--no-cache", "--out", dir["out"]);
        Assert.True(code == 0, err);
        Assert.Contains("| zero-shot CLIP |", output);
        var rows = ReadCsv(dir["out/predictions.csv"]);
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(r["given_label"], r["true_label"]));   // the world drew every class, so the truth is known
    }

    [Fact]
    public void The_same_weights_in_another_file_format_are_accepted_and_other_weights_refused()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(trained.Run, "manifest.json")));
        string tensors = manifest.RootElement.GetProperty("model_tensors_sha256").GetString()!;
        Assert.NotEqual(manifest.RootElement.GetProperty("model_sha256").GetString(), tensors);
        Assert.Equal(tensors, JsonNode.Parse(File.ReadAllText(Path.Combine(trained.Run, "prompt.json")))!["model_tensors_sha256"]!.GetValue<string>());

        var final = new RunFolder(trained.Run).ReadFinal();
        foreach (var other in new[] { VitTiny("model.state_dict.pt"), VitTiny("model.jit.pt"), VitTiny("hf") })
        {
            var (code, output, err) = Cli.Run("eval", "--prompt", trained.Run, "--model", other, "--dataset", trained.Data.Root, "--no-cache");
            Assert.True(code == 0, $"{other}: {err}");
            Assert.Contains($"| {final.Accuracy:F2} |", output);
        }
        Refused(Cli.Run("export-coop", "--prompt", trained.Run, "--model", Repo.Fixture("clip-models", "rn-tiny", "weights.openai.safetensors"), "--out", trained.Dir["x.pth"]),
            trained.Run, "tensors have sha256");
        Assert.False(File.Exists(trained.Dir["x.pth"]));

        // A prompt written before the tensors' hash was recorded: only the same file is accepted.
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["old"]);
        File.Copy(Path.Combine(trained.Run, "prompt.safetensors"), dir["old/prompt.safetensors"]);
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(trained.Run, "prompt.json")))!.AsObject();
        info.Remove("model_tensors_sha256");
        File.WriteAllText(dir["old/prompt.json"], info.ToJsonString());
        Assert.True(Cli.Run("export-coop", "--prompt", dir["old"], "--out", dir["a.pth"]).Code == 0);
        Refused(Cli.Run("export-coop", "--prompt", dir["old"], "--model", VitTiny("model.state_dict.pt"), "--out", dir["b.pth"]), "sha256");
    }

    [Fact]
    public void Import_coop_refuses_a_checkpoint_for_other_class_names()
    {
        using var dir = Repo.Temp();
        Assert.Equal(0, Cli.Run("export-coop", "--prompt", trained.Run, "--out", dir["model.pth.tar-1"]).Code);
        File.WriteAllLines(dir["classes.txt"], ["green", "blue", "red", "yellow"]);   // two swapped
        Refused(Cli.Run("import-coop", "--checkpoint", dir["model.pth.tar-1"], "--model", TinyDataset.Model, "--vocab", TinyDataset.Vocab,
            "--classes-file", dir["classes.txt"], "--out", dir["imported"]), dir["model.pth.tar-1"], "'token_suffix'", "class 0 ('green')");
        Assert.False(File.Exists(dir["imported/prompt.json"]));

        File.WriteAllLines(dir["classes.txt"], TinyDataset.Classes);
        Assert.Equal(0, Cli.Run("import-coop", "--checkpoint", dir["model.pth.tar-1"], "--model", VitTiny("model.state_dict.pt"), "--vocab", TinyDataset.Vocab,
            "--classes-file", dir["classes.txt"], "--out", dir["imported"]).Code);
        // The imported prompt records the vocabulary: eval needs no --vocab, and takes the first model format too.
        var (code, output, err) = Cli.Run("eval", "--prompt", dir["imported"], "--model", TinyDataset.Model, "--dataset", trained.Data.Root, "--cache-dir", trained.Cache);
        Assert.True(code == 0, err);
        Assert.Contains($"| {new RunFolder(trained.Run).ReadFinal().Accuracy:F2} |", output);
    }
}
