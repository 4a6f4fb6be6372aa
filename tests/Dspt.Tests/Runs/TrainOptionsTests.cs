using Dspt.Data;
using Dspt.Runs;
using Dspt.Tests.Training;

namespace Dspt.Tests.Runs;

/// <summary>dspt train's options as the one command line has them: --split-file, --shots all, the dataset options, errors in option names.</summary>
public class TrainOptionsTests
{
    [Theory]
    [InlineData("--batch-size", "0", "--batch-size must be at least 1 (got 0)")]
    [InlineData("--epochs", "0", "--epochs must be at least 1 (got 0)")]
    [InlineData("--views", "-1", "--views must be at least 0 (got -1)")]
    [InlineData("--n-ctx", "0", "--n-ctx must be at least 1 (got 0)")]
    [InlineData("--lr", "0", "--lr must be a finite number above 0 (got 0)")]
    [InlineData("--shots", "few", "--shots few: expected a number of images per class (at least 1) or 'all'")]
    [InlineData("--threads", "0", "--threads must be at least 1 (got 0)")]
    public void OutOfRangeValuesAreErrorsInOptionNames(string option, string value, string expected)
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 2, testPerClass: 1);
        var (code, _, err) = Cli.Run(data.TrainArgs(dir["run"], dir["cache"], 1, option, value));
        Assert.Equal(2, code);
        Assert.Equal($"error: {expected}", err.Trim());
        Assert.DoesNotContain("BatchSize", err);
        Assert.False(Directory.Exists(dir["run"]));
    }

    [Fact]
    public void SuspectsAndEncodeAndPretrainSayTheOptionNameToo()
    {
        var (code, _, err) = Cli.Run("suspects", "--model", "builtin", "--dataset", "builtin:shape", "--batch-size", "0", "--out", "/tmp/never");
        Assert.Equal(2, code);
        Assert.Contains("--batch-size must be at least 1 (got 0)", err);
        (code, _, err) = Cli.Run("encode", "--model", "builtin", "--text", "a", "--batch-size", "0", "--out", "/tmp/never.safetensors");
        Assert.Equal(2, code);
        Assert.Contains("--batch-size must be at least 1 (got 0)", err);
        (code, _, err) = Cli.Run("pretrain", "--out", "/tmp/never-pretrain", "--batch-size", "1");
        Assert.Equal(2, code);
        Assert.Contains("--batch-size must be at least 2 (got 1)", err);
    }

    [Fact]
    public void AllShotsTrainForAsManyEpochsAsEightOrMore() =>
        Assert.Equal((200, 200, 100), (Dspt.Cli.TrainingOptionSet.DefaultEpochs(0), Dspt.Cli.TrainingOptionSet.DefaultEpochs(16), Dspt.Cli.TrainingOptionSet.DefaultEpochs(4)));

    [Fact]
    public void ASplitFileFixesTheShotsAndTheNoise()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 2, testPerClass: 1);
        Cli.Ok("data", "inspect", data.Root, "--shots", "2", "--noise", "sym:0.5", "--save", dir["split.json"]);
        var (code, _, err) = Cli.Run(data.TrainArgs(dir["run"], dir["cache"], 1, "--split-file", dir["split.json"], "--shots", "2"));
        Assert.Equal(2, code);
        Assert.Contains($"--split-file {dir["split.json"]}: the split fixes the shots and the noise; leave out --shots and --noise", err);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainOnASavedSplitFileAndOnAllShotsWithTheDatasetOptions()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 3, testPerClass: 2);
        // A broken image among the test images: train and eval read the dataset with --skip-bad, as data inspect does.
        File.WriteAllText(Path.Combine(data.Root, "test", "red", "broken.png"), "not an image");
        Cli.Ok("data", "inspect", data.Root, "--shots", "2", "--noise", "sym:0.5", "--seed", "4", "--save", dir["split.json"], "--skip-bad", "--verify-images");
        string[] Args(string run, params string[] extra)
        {
            var args = data.TrainArgs(run, dir["cache"], 1, "--views", "0", "--skip-bad", "true", "--verify-images", "true");
            // "train", then option/value pairs: drop the shots and noise TrainArgs sets.
            var kept = new List<string> { args[0] };
            for (int i = 1; i + 1 < args.Length; i += 2)
                if (args[i] is not ("--shots" or "--noise")) kept.AddRange([args[i], args[i + 1]]);
            return [.. kept, .. extra];
        }

        var (code, _, err) = Cli.Run(Args(dir["from-file"], "--split-file", dir["split.json"]));
        Assert.True(code == 0, err);
        var saved = FewShotSplitFile.Load(dir["split.json"]);
        var used = FewShotSplitFile.Load(Path.Combine(dir["from-file"], "fewshot.json"));
        Assert.Equal(saved.Train, used.Train);
        Assert.Equal(saved.Test, used.Test);
        var spec = new RunFolder(dir["from-file"]).ReadManifest().Spec;
        Assert.Equal((dir["split.json"], 2, "sym:0.5"), (spec.SplitFile, spec.Shots, spec.Noise));
        Assert.True(spec.Reading!.SkipBad);
        Assert.True(spec.Reading.VerifyImages);

        (code, _, err) = Cli.Run(Args(dir["all"], "--shots", "all"));
        Assert.True(code == 0, err);
        var all = new RunFolder(dir["all"]);
        Assert.Equal(0, all.ReadManifest().Spec.Shots);
        Assert.Equal(12, FewShotSplitFile.Load(all.Split).Train.Count);   // every training image: 4 classes x 3

        var eval = Cli.Run("eval", "--prompt", dir["all"], "--dataset", data.Root, "--vocab", TinyDataset.Vocab, "--cache-dir", dir["cache"], "--skip-bad", "--verify-images", "--part", "test");
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Contains("broken.png", eval.Err);
        var strict = Cli.Run("eval", "--prompt", dir["all"], "--dataset", data.Root, "--vocab", TinyDataset.Vocab, "--cache-dir", dir["cache"], "--verify-images");
        Assert.Equal(2, strict.Code);
        Assert.Contains("broken.png", strict.Err);
        Assert.Contains("(pass --skip-bad to skip them with a warning)", strict.Err);   // advice eval now takes
    }
}
