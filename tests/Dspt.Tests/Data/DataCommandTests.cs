using System.Text.Json;
using Dspt.Data;

namespace Dspt.Tests.Data;

public class DataCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    [Fact]
    public void Inspect_json_lists_the_sampled_train_items_with_clean_and_noisy_labels()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Coop(tmp.Path, "DescribableTextures", "dtd", "images", ["banded", "zig_zagged", "dotted"],
            [(6, 3, 2), (6, 3, 2), (6, 3, 2)]);
        var (code, stdout, stderr) = Run("data", "inspect", dir, "--shots", "4", "--noise", "sym:0.5", "--seed", "2",
            "--json", "--sheet", tmp["sheet.png"], "--save", tmp["run/fewshot.json"]);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var o = doc.RootElement;
        Assert.Equal("DescribableTextures", o.GetProperty("dataset").GetString());
        Assert.Equal(3, o.GetProperty("num_classes").GetInt32());
        Assert.Equal("zig zagged", o.GetProperty("classnames")[1].GetString());
        Assert.Equal("{} texture.", o.GetProperty("template").GetString());
        Assert.Equal(18, o.GetProperty("splits").GetProperty("train").GetInt32());
        Assert.Equal(3, o.GetProperty("per_class")[2].GetProperty("val").GetInt32());

        var train = o.GetProperty("train").EnumerateArray().Select(e =>
            (Path: e.GetProperty("path").GetString()!, Label: e.GetProperty("true_label").GetInt32(), Noisy: e.GetProperty("given_label").GetInt32())).ToList();
        Assert.Equal(12, train.Count);
        Assert.Equal(6, train.Count(t => t.Label != t.Noisy)); // floor(0.5 x 12)
        Assert.All(train, t => Assert.StartsWith($"images/{new[] { "banded", "zig_zagged", "dotted" }[t.Label]}/", t.Path));
        Assert.Equal(6, o.GetProperty("noise_report").GetProperty("corrupted").GetInt32());
        Assert.Equal(0.5, o.GetProperty("noise_report").GetProperty("rate").GetDouble());
        var cells = o.GetProperty("noise_report").GetProperty("transition").EnumerateArray()
            .Select(t => (Clean: t[0].GetInt32(), Given: t[1].GetInt32(), Count: t[2].GetInt32())).ToList();
        foreach (var (clean, given, count) in cells) // sparse cells agree with the items
            Assert.Equal(train.Count(t => t.Label == clean && t.Noisy == given), count);
        Assert.Equal(12, cells.Sum(t => t.Count));

        // The same draw as the library gives, and the saved file rebuilds it.
        var expected = FewShot.Draw(DatasetReader.Read(dir), 4, NoiseSpec.Parse("sym:0.5"), 2);
        Assert.Equal(expected.Train.Select(i => (i.Path, i.CleanLabel, i.Label)), train);
        Assert.Equal(expected.Train, FewShotSplitFile.Load(tmp["run/fewshot.json"]).Train);
        Assert.True(File.Exists(tmp["sheet.png"]));
        Assert.Equal(tmp["sheet.png"], o.GetProperty("sheet").GetString());
    }

    [Fact]
    public void Inspect_text_reports_counts_noise_and_warnings()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Folder(tmp["mine"], ["a", "b"], [8, 3]);
        var (code, stdout, stderr) = Run("data", "inspect", dir, "--shots", "4", "--noise", "asym:0.25", "--split", "1,0,0");
        Assert.True(code == 0, stderr);
        Assert.Contains("classes   2", stdout);
        Assert.Contains("splits    train 11, val 0, test 0", stdout);
        Assert.Contains("noise     asym:0.25: 1 of 7 training labels wrong", stdout);
        Assert.Contains("transition counts", stdout);
        Assert.Contains("warning: train: K = 4 is more than 1 class(es) have (e.g. class 1 has 3)", stderr);
        // No --sheet, no sheet: nothing written beside the dataset or in the current folder.
        Assert.DoesNotContain("contact sheet", stdout);
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.png", SearchOption.TopDirectoryOnly));
        Assert.Empty(Directory.GetFiles(Directory.GetCurrentDirectory(), "*_sheet.png"));
    }

    [Theory]
    [InlineData("--noise sym:1.5", "noise 'sym:1.5': the rate must be in [0, 1)")]
    [InlineData("--shots -2", "--shots -2: expected a number of images per class (at least 1) or 'all'")]
    [InlineData("--format tfrecord", "format 'tfrecord': expected one of")]
    [InlineData("--shots 4 --strict", "strict sampling refuses this")]
    [InlineData("--shots 4 --noise pairflip:4", "needs 0 <= M < K")]
    [InlineData("--split 0.5,0.5", "split ratios [0.5, 0.5]")]
    public void Bad_input_exits_with_2_and_says_why(string options, string expected)
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Folder(tmp["mine"], ["a", "b"], [8, 3]);
        var args = new List<string> { "data", "inspect", dir };
        args.AddRange(options.Split(' '));
        if (!options.Contains("--split")) args.AddRange(["--split", "1,0,0"]);
        var (code, _, stderr) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void Missing_dataset_exits_with_2()
    {
        var (code, _, stderr) = Run("data", "inspect", "/nonexistent/dataset");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/dataset: no such file or folder", stderr);
    }
}
