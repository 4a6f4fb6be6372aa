using System.Text.Json.Nodes;
using Dspt.Data;

namespace Dspt.Tests.Data;

public class FewShotSplitFileTests
{
    static void AssertSame(FewShotSplit expected, FewShotSplit actual)
    {
        Assert.Equal(expected.DatasetName, actual.DatasetName);
        Assert.Equal(expected.Root, actual.Root);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.Template, actual.Template);
        Assert.Equal((expected.Shots, expected.Seed, expected.Noise), (actual.Shots, actual.Seed, actual.Noise));
        Assert.Equal(expected.Train, actual.Train);
        Assert.Equal(expected.Val, actual.Val);
        Assert.Equal(expected.Test, actual.Test);
        Assert.True(expected.Report.SameAs(actual.Report));
    }

    [Theory]
    [InlineData("sym:0.375")]
    [InlineData("asym:0.5")]
    [InlineData("pairflip:3")]
    [InlineData("none")]
    public void Saved_split_loads_back_into_the_same_run_input(string noise)
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Folder(tmp["data"], ["b_ird", "cat", "dog"], [20, 20, 20]);
        var d = DatasetReader.Read(dir);
        var split = FewShot.Draw(d, 4, NoiseSpec.Parse(noise), 3);
        string file = Path.Combine(tmp["run"], FewShotSplit.FileName);
        FewShotSplitFile.Save(file, split);

        AssertSame(split, FewShotSplitFile.Load(file));
        Assert.Equal([FewShotSplit.FileName], Directory.GetFiles(tmp["run"]).Select(Path.GetFileName)); // no temp file left
        var moved = FewShotSplitFile.Load(file, root: tmp["elsewhere"]);
        Assert.Equal(tmp["elsewhere"], moved.Root);
        Assert.Equal("b ird", moved.ClassNames[0]);
    }

    [Theory]
    [InlineData("train", "given_label", "7", "train[0]: \"given_label\" must be an integer in 0..2")]
    [InlineData("test", "path", "\"../x.png\"", "test[0]: path '../x.png' must be relative")]
    [InlineData("val", "path", "\"/etc/passwd\"", "val[0]: path '/etc/passwd' must be relative")]
    [InlineData("train", "true_label", "2", "\"report\" does not match the train items")]
    [InlineData("val", "label", "3", "val[0]: \"label\" must be an integer in 0..2")]
    public void Edited_files_are_refused(string list, string key, string value, string expected)
    {
        using var tmp = Repo.Temp();
        var split = FewShot.Draw(DataFixtures.Synthetic(3, 10), 2, NoiseSpec.Clean, 1);
        string file = tmp["s.json"];
        FewShotSplitFile.Save(file, split);
        var json = JsonNode.Parse(File.ReadAllText(file))!;
        json[list]![0]![key] = JsonNode.Parse(value);
        File.WriteAllText(file, json.ToJsonString());
        var e = Assert.Throws<InvalidInputException>(() => FewShotSplitFile.Load(file));
        Assert.Contains(file, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Wrong_format_tag_and_bad_json_are_refused()
    {
        using var tmp = Repo.Temp();
        File.WriteAllText(tmp["a.json"], "{\"format\": \"other\"}");
        Assert.Contains("expected 'dspt-fewshot-v2' (or the older 'dspt-fewshot-v1')", Assert.Throws<InvalidInputException>(() => FewShotSplitFile.Load(tmp["a.json"])).Message);
        File.WriteAllText(tmp["b.json"], "[");
        Assert.Contains("not valid JSON", Assert.Throws<InvalidInputException>(() => FewShotSplitFile.Load(tmp["b.json"])).Message);
        Assert.Contains("not found", Assert.Throws<InvalidInputException>(() => FewShotSplitFile.Load(tmp["none.json"])).Message);
    }
}
