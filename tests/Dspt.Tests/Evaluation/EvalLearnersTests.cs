using System.Text.Json;
using Dspt.Features;
using Dspt.IO;
using Dspt.Prompting;
using Dspt.Tests.Training;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Tests.Evaluation;

/// <summary>`dspt eval` on prompts of every learner, and the base-to-new protocol.</summary>
public class EvalLearnersTests
{
    /// <summary>A random prompt of <paramref name="learner"/> for the tiny dataset's base classes (blue, green), saved.</summary>
    static void SaveBasePrompt(string dir, string learner)
    {
        using var clip = ClipModel();
        var tokenizer = ClipTokenizer.Load(TinyDataset.Vocab);
        var d = LearnerRegistry.Defaults(learner);
        using var prompt = LearnerRegistry.Create(learner, new LearnerSetup(clip, tokenizer, ["blue", "green"], new PromptOptions(new PromptLayout(d.NCtx, d.CtxInit)), "a photo of a {}.", 3));
        PromptFile.Save(dir, prompt, PromptFile.Describe(prompt, ContentHash.OfFile(TinyDataset.Model)));
    }

    static Dspt.Clip.ClipModel ClipModel() => Dspt.Clip.ClipModel.FromStateDict(Safetensors.Load(TinyDataset.Model), "vit-tiny");

    [Theory]
    [InlineData("coop")]
    [InlineData("cocoop")]
    [InlineData("kgcoop")]
    public void BaseToNewPrintsBaseNewAndTheirHarmonicMean(string learner)
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 2, testPerClass: 3);
        Directory.CreateDirectory(dir["prompt"]);
        SaveBasePrompt(dir["prompt"], learner);
        var (code, stdout, stderr) = Cli.Run("eval", "--prompt", dir["prompt"], "--model", TinyDataset.Model, "--vocab", TinyDataset.Vocab,
            "--dataset", data.Root, "--subsample", "base-to-new", "--no-cache", "--out", dir["out"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("test (base classes)", stdout);
        Assert.Contains("test (new classes)", stdout);
        Assert.Contains("| classifier | base | new | HM |", stdout);
        var rows = JsonDocument.Parse(File.ReadAllText(dir["out/base-to-new.json"])).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            double b = row.GetProperty("base").GetDouble(), n = row.GetProperty("new").GetDouble();
            Assert.Equal(Dspt.Evaluation.BaseToNew.HarmonicMean(b, n), row.GetProperty("hm").GetDouble(), 9);
            // 6 test images per half: accuracies are multiples of 1/6.
            Assert.Equal(0, Math.Round(b * 6 / 100, 9) % 1);
        }
        Assert.Contains(learner == "coop" ? "prompt (prompt)" : $"prompt ({learner}, prompt)", rows[1].GetProperty("name").GetString());
    }

    [Fact]
    public void APromptOfOtherClassesIsRefusedOnAllClasses()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 1, testPerClass: 1);
        Directory.CreateDirectory(dir["prompt"]);
        SaveBasePrompt(dir["prompt"], "cocoop");
        var (code, _, stderr) = Cli.Run("eval", "--prompt", dir["prompt"], "--model", TinyDataset.Model, "--vocab", TinyDataset.Vocab,
            "--dataset", data.Root, "--no-cache");
        Assert.Equal(2, code);
        Assert.Contains("4 classes, the prompt was trained on 2", stderr);
    }
}
