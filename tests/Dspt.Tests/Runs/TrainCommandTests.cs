using System.Text.Json;
using Dspt.Features;
using Dspt.IO;
using Dspt.Runs;
using Dspt.Tests.Training;

namespace Dspt.Tests.Runs;

public class TrainCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainWritesTheRunFolderAndEvalExportImportAgree()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        var run = dir["run"];
        var (code, stdout, stderr) = Run(data.TrainArgs(run, dir["cache"], epochs: 3));
        Assert.True(code == 0, stderr);
        Assert.Contains("test accuracy", stdout);
        // Progress and logs on stderr (plain lines: not a terminal), the result alone on stdout.
        Assert.Contains("epoch 3/3", stderr);
        Assert.Contains("encoding images: ", stderr);
        Assert.DoesNotContain("epoch ", stdout);
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        foreach (var file in new[] { "manifest.json", "fewshot.json", "checkpoint.safetensors", "metrics.jsonl", "prompt.safetensors",
                     "prompt.json", "evaluation.json", "evaluation.md", "final.json" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
        // One key style in every JSON file of the run.
        foreach (var file in Directory.GetFiles(run, "*.json").Concat(Directory.GetFiles(run, "*.jsonl")))
            JsonKeys.AssertSnakeCase(file);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "manifest.json")));
        var m = manifest.RootElement;
        Assert.Equal("dspt-run-v1", m.GetProperty("format").GetString());
        Assert.Equal(ContentHash.OfFile(TinyDataset.Model), m.GetProperty("model_sha256").GetString());
        Assert.Equal(ContentHash.OfFile(Path.Combine(run, "fewshot.json")), m.GetProperty("data_sha256").GetString());
        Assert.Equal(3, m.GetProperty("spec").GetProperty("train").GetProperty("epochs").GetInt32());
        Assert.Equal("sym:0.25", m.GetProperty("spec").GetProperty("noise").GetString());
        Assert.False(string.IsNullOrEmpty(m.GetProperty("torch_sharp_version").GetString()));

        var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(3, lines.Length);
        using (var line = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal(1, line.RootElement.GetProperty("epoch").GetInt32());
            Assert.Equal(1e-5, line.RootElement.GetProperty("learning_rate").GetDouble());
            Assert.Equal(8, line.RootElement.GetProperty("steps").GetInt32());   // 32 images / batch 4
        }

        var final = new RunFolder(run).ReadFinal();
        Assert.Equal(("dspt", "sym", 0.25, 2, 12), (final.Method, final.NoiseType, final.NoiseRate, final.Seed, final.TestSamples));

        // dspt eval recomputes the same accuracy from the saved prompt (features from the cache).
        var eval = Run("eval", "--prompt", run, "--dataset", data.Root, "--vocab", TinyDataset.Vocab, "--cache-dir", dir["cache"], "--out", dir["eval"]);
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Contains($"| {final.Accuracy:F2} |", eval.Out);
        Assert.True(File.Exists(Path.Combine(dir["eval"], "evaluation.md")));

        // Export to CoOp's layout, import it back, evaluate: the same accuracy.
        var export = Run("export-coop", "--prompt", run, "--vocab", TinyDataset.Vocab, "--out", dir["coop/model.pth.tar-3"]);
        Assert.True(export.Code == 0, export.Err);
        var import = Run("import-coop", "--checkpoint", dir["coop/model.pth.tar-3"], "--model", TinyDataset.Model, "--vocab", TinyDataset.Vocab,
            "--dataset", data.Root, "--out", dir["imported"]);
        Assert.True(import.Code == 0, import.Err);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, "prompt.safetensors")), File.ReadAllBytes(dir["imported/prompt.safetensors"]));
        var evalImported = Run("eval", "--prompt", dir["imported"], "--dataset", data.Root, "--vocab", TinyDataset.Vocab, "--cache-dir", dir["cache"]);
        Assert.True(evalImported.Code == 0, evalImported.Err);
        Assert.Contains($"| {final.Accuracy:F2} |", evalImported.Out);

        // The folder is complete: --resume says so; a new run cannot reuse it.
        Assert.Contains("already complete", Run("train", "--resume", run).Out);
        var again = Run(data.TrainArgs(run, dir["cache"], epochs: 3));
        Assert.Equal(2, again.Code);
        Assert.Contains("--resume", again.Err);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void CorrectionsAreAppliedBeforeTheDrawAndRecordedInTheManifestAndTheSplit()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 4, testPerClass: 1);
        var items = Dspt.Data.DatasetReader.Read(data.Root).Train;
        var blue = items.First(i => i.Label == 0).Path;
        var red = items.First(i => i.Label == 2).Path;
        File.WriteAllText(dir["fix.csv"], $"path,action,new_label\n{blue},relabel,yellow\n{red},remove,\n");
        var (code, _, stderr) = Run(data.TrainArgs(dir["run"], dir["cache"], 1, "--shots", "4", "--noise", "none", "--views", "0", "--corrections", dir["fix.csv"]));
        Assert.True(code == 0, stderr);
        Assert.Contains("1 relabelled, 1 removed", stderr);
        var split = Dspt.Data.FewShotSplitFile.Load(Path.Combine(dir["run"], "fewshot.json"));
        Assert.Equal(14, split.Train.Count);   // blue 3, green 4, red 3, yellow 4 of its 5
        Assert.Equal(3, split.Train.Single(i => i.Path == blue).Label);
        Assert.DoesNotContain(split.Train, i => i.Path == red);
        Assert.Equal((1, 1, 0), (split.Corrections!.Relabelled, split.Corrections.Removed, split.Corrections.Kept));
        var manifest = new RunFolder(dir["run"]).ReadManifest();
        Assert.Equal(split.Corrections, manifest.Spec.Corrections);
        Assert.Equal(Dspt.IO.ContentHash.OfFile(dir["fix.csv"]), manifest.Spec.Corrections!.Sha256);

        File.WriteAllText(dir["bad.csv"], "path,action,new_label\nno/such.png,remove,\n");
        var bad = Run(data.TrainArgs(dir["run2"], dir["cache"], 1, "--corrections", dir["bad.csv"]));
        Assert.Equal(2, bad.Code);
        Assert.Contains("'no/such.png' is not a training item", bad.Err);
        Assert.False(Directory.Exists(dir["run2"]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void NLPromptTrainsThroughTheSameCommand()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        var (code, _, stderr) = Run(data.TrainArgs(dir["run"], dir["cache"], 2, "--loss", "NLPrompt"));
        Assert.True(code == 0, stderr);
        var final = new RunFolder(dir["run"]).ReadFinal();
        Assert.Equal("nlprompt", final.Method);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir["run"], "manifest.json")));
        Assert.Equal("nlprompt", manifest.RootElement.GetProperty("spec").GetProperty("loss").GetString());
    }

    [Fact]
    public void BadRequestsFailClearlyBeforeWritingAnything()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 2, testPerClass: 1);
        var cuda = Run(data.TrainArgs(dir["run"], dir["cache"], 1, "--device", "cuda"));
        Assert.Equal(2, cuda.Code);
        Assert.Contains("CUDA is not available", cuda.Err);
        var loss = Run(data.TrainArgs(dir["run"], dir["cache"], 1, "--loss", "hinge"));
        Assert.Equal(2, loss.Code);
        Assert.Contains("unknown loss 'hinge'", loss.Err);
        Assert.Contains("expected one of: ce, dspt, gce, gce:<q>, mae, mae:<scale>, nlprompt, nlprompt:<reg>", loss.Err);
        Assert.False(Directory.Exists(dir["run"]));
        var resume = Run("train", "--resume", dir["run"], "--lr", "0.1");
        Assert.Equal(2, resume.Code);
        Assert.Contains("--lr", resume.Err);
    }

    [Fact]
    public void AnExplodingLossStopsWithExitCode3AndAdvice()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 4, testPerClass: 1);
        var (code, _, stderr) = Run(data.TrainArgs(dir["run"], dir["cache"], 3, "--lr", "1e30", "--shots", "4", "--views", "0"));
        Assert.Equal(Dspt.Cli.Commands.TrainCommand.DivergedExitCode, code);
        Assert.Contains("lower learning rate", stderr);
        Assert.Contains("epoch 2/3", stderr);
        Assert.False(File.Exists(Path.Combine(dir["run"], "final.json")));
    }
}
