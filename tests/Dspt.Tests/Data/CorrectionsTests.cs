using System.Text.Json;
using Dspt.Data;

namespace Dspt.Tests.Data;

public class CorrectionsTests
{
    static Dataset Small() => new("toy", "/data/toy", ["cat", "dog", "fox"], "a photo of a {}.",
        [new("a.png", 0), new("b.png", 0), new("c.png", 1), new("d.png", 1), new("e.png", 2), new("f.png", 2)],
        [new("v.png", 0)], [new("t.png", 1)]);

    static string Write(TempDir tmp, params string[] lines)
    {
        string path = tmp["corrections.csv"];
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Fact]
    public void Relabels_removes_and_keeps_exactly_the_listed_items()
    {
        using var tmp = Repo.Temp();
        var corrections = Corrections.Read(Write(tmp, Corrections.Header, "b.png,relabel,fox", "d.png,remove,", "e.png,keep,", "\"f.png\",relabel,cat"), Small());
        var corrected = corrections.ApplyTo(Small());
        Assert.Equal([("a.png", 0), ("b.png", 2), ("c.png", 1), ("e.png", 2), ("f.png", 0)], corrected.Train.Select(i => (i.Path, i.Label)));
        Assert.Equal(Small().Val, corrected.Val);
        Assert.Equal(Small().Test, corrected.Test);
        Assert.Equal((2, 1, 1), (corrections.Relabelled, corrections.Removed, corrections.Kept));
        Assert.Equal(64, corrections.Sha256.Length);
    }

    [Theory]
    [InlineData("path,label\nb.png,1", "line 1: expected the header 'path,action,new_label'")]
    [InlineData("path,action,new_label\nzzz.png,remove,", "line 2: path 'zzz.png' is not a training item of dataset 'toy'")]
    [InlineData("path,action,new_label\nv.png,remove,", "line 2: path 'v.png' is not a training item")]
    [InlineData("path,action,new_label\nb.png,relabel,wolf", "line 2: new_label 'wolf' is not a class of dataset 'toy'")]
    [InlineData("path,action,new_label\nb.png,relabel,", "line 2: new_label '' is not a class")]
    [InlineData("path,action,new_label\nb.png,remove,\nb.png,keep,", "line 3: path 'b.png' appears twice")]
    [InlineData("path,action,new_label\nb.png,delete,", "line 2: action 'delete': expected relabel, keep or remove")]
    [InlineData("path,action,new_label\nb.png,keep,dog", "line 2: action 'keep' takes an empty new_label, got 'dog'")]
    [InlineData("path,action,new_label\nb.png,keep", "line 2: expected 3 fields path,action,new_label, got 2")]
    public void Bad_files_are_rejected_with_the_line_and_what_was_expected(string content, string message)
    {
        using var tmp = Repo.Temp();
        string path = tmp["corrections.csv"];
        File.WriteAllText(path, content + "\n");
        var e = Assert.Throws<InvalidInputException>(() => Corrections.Read(path, Small()));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_missing_file_is_an_error()
    {
        var e = Assert.Throws<InvalidInputException>(() => Corrections.Read("/nonexistent/corrections.csv", Small()));
        Assert.Contains("corrections file not found", e.Message);
    }

    [Fact]
    public void Data_inspect_applies_them_before_the_draw_and_the_saved_split_records_them()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Coop(tmp.Path, "DescribableTextures", "dtd", "images", ["banded", "zig_zagged", "dotted"],
            [(4, 1, 1), (4, 1, 1), (4, 1, 1)]);
        string file = tmp["fix.csv"];
        File.WriteAllText(file, "path,action,new_label\nimages/banded/banded_000.jpg,relabel,dotted\nimages/dotted/dotted_001.jpg,remove,\n");
        var (code, stdout, stderr) = Cli.Run("data", "inspect", dir, "--shots", "0", "--json", "--corrections", file, "--save", tmp["split.json"]);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var train = doc.RootElement.GetProperty("train").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("given_label").GetInt32());
        Assert.Equal(11, train.Count);
        Assert.Equal(2, train["images/banded/banded_000.jpg"]);
        Assert.False(train.ContainsKey("images/dotted/dotted_001.jpg"));
        Assert.Equal(1, doc.RootElement.GetProperty("corrections").GetProperty("relabelled").GetInt32());
        var saved = FewShotSplitFile.Load(tmp["split.json"]);
        Assert.Equal(new CorrectionsRecord(Path.GetFullPath(file), saved.Corrections!.Sha256, 1, 1, 0), saved.Corrections);

        File.WriteAllText(file, "path,action,new_label\nimages/banded/banded_000.jpg,relabel,striped\n");
        var (bad, _, error) = Cli.Run("data", "inspect", dir, "--corrections", file);
        Assert.Equal(2, bad);
        Assert.Contains("new_label 'striped' is not a class", error);
    }
}
