using Dspt.Data;

namespace Dspt.Tests.Data;

public class ManifestReaderTests
{
    static string Images(TempDir tmp)
    {
        string dir = tmp["m"];
        DataFixtures.Folder(Path.Combine(dir, "img"), ["cat", "dog"], [4, 4]);
        DataFixtures.Image(Path.Combine(dir, "img", "odd, name.png"), 0);
        File.WriteAllLines(Path.Combine(dir, "classnames.txt"), ["tabby_cat", "dog", ""]);
        return dir;
    }

    [Fact]
    public void Csv_with_header_split_column_quotes_and_class_list()
    {
        using var tmp = Repo.Temp();
        string dir = Images(tmp);
        File.WriteAllLines(Path.Combine(dir, "data.csv"),
        [
            "split,path,label",
            "train,img/cat/img000.png,0", "train,img/cat/img001.png,0", "val,img/cat/img002.jpg,0", "test,\"img/odd, name.png\",0",
            "train,img/dog/img000.png,dog", "train,img/dog/img001.png,1", "test,img/dog/img002.jpg,1",
        ]);
        var d = DatasetReader.Read(Path.Combine(dir, "data.csv"));
        Assert.Equal((DatasetFormats.Manifest, "data", dir), (d.Format, d.Name, d.Root));
        Assert.Equal(["tabby cat", "dog"], d.ClassNames);
        Assert.Equal((4, 1, 2), (d.Train.Count, d.Val.Count, d.Test.Count));
        Assert.Equal(new DataItem("img/odd, name.png", 0), d.Test[0]);
        Assert.Equal(new DataItem("img/dog/img000.png", 1), d.Train[2]);
    }

    [Fact]
    public void Csv_without_header_or_split_is_split_by_ratio()
    {
        using var tmp = Repo.Temp();
        string dir = Images(tmp);
        var rows = Enumerable.Range(0, 4).SelectMany(i => new[] { $"img/cat/img{i:D3}{(i % 3 == 2 ? ".jpg" : ".png")},0", $"img/dog/img{i:D3}{(i % 3 == 2 ? ".jpg" : ".png")},1" });
        File.WriteAllLines(Path.Combine(dir, "plain.csv"), rows);
        var d = DatasetReader.Read(Path.Combine(dir, "plain.csv"), options: new DatasetOptions { SplitRatios = [0.5, 0.25, 0.25] });
        Assert.Equal((4, 2, 2), (d.Train.Count, d.Val.Count, d.Test.Count));
    }

    [Fact]
    public void Jsonl_with_names_and_no_class_list_sorts_the_names()
    {
        using var tmp = Repo.Temp();
        string dir = Images(tmp);
        File.Delete(Path.Combine(dir, "classnames.txt"));
        File.WriteAllLines(Path.Combine(dir, "data.jsonl"),
        [
            """{"path": "img/dog/img000.png", "label": "dog", "split": "train"}""",
            "",
            """{"path": "img/cat/img000.png", "label": "cat", "split": "train"}""",
            """{"path": "img/cat/img001.png", "label": "cat", "split": "test"}""",
        ]);
        var d = DatasetReader.Read(Path.Combine(dir, "data.jsonl"));
        Assert.Equal(["cat", "dog"], d.ClassNames);
        Assert.Equal([new DataItem("img/dog/img000.png", 1), new DataItem("img/cat/img000.png", 0)], d.Train);
    }

    [Theory]
    [InlineData("path,label\nimg/cat/img000.png,2", "line 2: label 2 is out of range: there are 2 classes (0..1)")]
    [InlineData("path,label\nimg/cat/img000.png,-1", "line 2: label -1 is out of range")]
    [InlineData("path,label\nimg/cat/img000.png,horse", "line 2: label 'horse' is not a class name in classnames.txt")]
    [InlineData("path,label,split\nimg/cat/img000.png,0,training", "line 2: split 'training' is not train, val or test")]
    [InlineData("path,split\nimg/cat/img000.png,train", "the header has no \"label\" column")]
    [InlineData("img/cat/img000.png", "line 1: expected path,label[,split]")]
    [InlineData("path,label\n\"img/cat/img000.png,0", "line 2: unterminated quote")]
    [InlineData("path,label\n../outside.png,0", "line 2: '../outside.png' lies outside the dataset root")]
    public void Bad_csv_rows_are_errors_naming_the_line(string content, string expected)
    {
        using var tmp = Repo.Temp();
        string dir = Images(tmp);
        DataFixtures.Image(tmp["outside.png"], 0);
        File.WriteAllText(Path.Combine(dir, "bad.csv"), content);
        var e = Assert.Throws<InvalidInputException>(() => DatasetReader.Read(Path.Combine(dir, "bad.csv")));
        Assert.Contains("bad.csv", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Integer_labels_need_a_class_list_and_bad_json_lines_are_errors()
    {
        using var tmp = Repo.Temp();
        string dir = Images(tmp);
        File.Delete(Path.Combine(dir, "classnames.txt"));
        File.WriteAllText(Path.Combine(dir, "a.csv"), "img/cat/img000.png,0\n");
        Assert.Contains("a class-name list is needed", Assert.Throws<InvalidInputException>(() => DatasetReader.Read(Path.Combine(dir, "a.csv"))).Message);

        File.WriteAllText(Path.Combine(dir, "b.jsonl"), "{\"path\": \"img/cat/img000.png\", \"label\": \"cat\"}\n{\"path\": 3}\n");
        Assert.Contains("b.jsonl: line 2: expected", Assert.Throws<InvalidInputException>(() => DatasetReader.Read(Path.Combine(dir, "b.jsonl"))).Message);
        File.WriteAllText(Path.Combine(dir, "c.jsonl"), "{\"path\": \n");
        Assert.Contains("c.jsonl: line 1: not valid JSON", Assert.Throws<InvalidInputException>(() => DatasetReader.Read(Path.Combine(dir, "c.jsonl"))).Message);

        File.WriteAllLines(Path.Combine(dir, "classnames.txt"), ["cat", "", "dog"]);
        Assert.Contains("classnames.txt: line 2 is empty", Assert.Throws<InvalidInputException>(() => DatasetReader.Read(Path.Combine(dir, "a.csv"))).Message);
    }
}
