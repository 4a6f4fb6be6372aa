using System.Text.Json;
using Dspt.Runs;
using Dspt.Tests.Training;

namespace Dspt.Tests.Runs;

/// <summary>`dspt train --learner ... --classes base`, then eval (base-to-new), export and import of the learner's checkpoint.</summary>
public class TrainLearnersTests
{
    [Theory]
    [InlineData("cocoop")]
    [InlineData("kgcoop")]
    public void TrainOnBaseEvaluateBaseToNewExportImport(string learner)
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 4, testPerClass: 2);
        var run = dir["run"];
        var (code, stdout, stderr) = Cli.Run(data.TrainArgs(run, dir["cache"], epochs: 2, "--shots", "4", "--learner", learner, "--subsample", "base",
            "--n-ctx", "4", "--views", "0", "--batch-size", "2"));
        Assert.True(code == 0, stderr);
        using (var prompt = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "prompt.json"))))
        {
            Assert.Equal(learner, prompt.RootElement.GetProperty("learner").GetString());
            Assert.Equal(["blue", "green"], prompt.RootElement.GetProperty("class_names").EnumerateArray().Select(e => e.GetString()));
        }
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "manifest.json"))))
        {
            Assert.Equal(learner, manifest.RootElement.GetProperty("spec").GetProperty("learner").GetString());
            Assert.Equal("base", manifest.RootElement.GetProperty("spec").GetProperty("classes").GetString());
        }
        var final = new RunFolder(run).ReadFinal();
        Assert.Equal(4, final.TestSamples);   // 2 base classes x 2 test images

        var eval = Cli.Run("eval", "--prompt", run, "--dataset", data.Root, "--vocab", TinyDataset.Vocab, "--cache-dir", dir["cache"],
            "--subsample", "base-to-new");
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Contains("| classifier | base | new | HM |", eval.Out);
        Assert.Contains($"| {final.Accuracy:F2} |", eval.Out);

        var export = Cli.Run("export-coop", "--prompt", run, "--vocab", TinyDataset.Vocab, "--out", dir["py/model.pth.tar-2"]);
        Assert.True(export.Code == 0, export.Err);
        var import = Cli.Run("import-coop", "--checkpoint", dir["py/model.pth.tar-2"], "--model", TinyDataset.Model, "--vocab", TinyDataset.Vocab,
            "--classes-file", WriteNames(dir["names.txt"]), "--ctx-init", "a photo of a", "--learner", learner, "--out", dir["imported"]);
        Assert.True(import.Code == 0, import.Err);
        var again = Cli.Run("eval", "--prompt", dir["imported"], "--model", TinyDataset.Model, "--dataset", data.Root, "--vocab", TinyDataset.Vocab,
            "--cache-dir", dir["cache"], "--subsample", "base");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains($"| {final.Accuracy:F2} |", again.Out);
    }

    static string WriteNames(string path)
    {
        File.WriteAllLines(path, ["blue", "green"]);
        return path;
    }

    [Fact]
    public void AClassSpecificPromptCannotBeEvaluatedOnNewClasses()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 2, testPerClass: 1);
        var run = dir["run"];
        var (code, _, stderr) = Cli.Run(data.TrainArgs(run, dir["cache"], epochs: 1, "--shots", "2", "--subsample", "base", "--csc", "true", "--views", "0"));
        Assert.True(code == 0, stderr);
        var eval = Cli.Run("eval", "--prompt", run, "--dataset", data.Root, "--vocab", TinyDataset.Vocab, "--cache-dir", dir["cache"], "--subsample", "new");
        Assert.Equal(2, eval.Code);
        Assert.Contains("cannot be applied to other classes", eval.Err);
    }
}
