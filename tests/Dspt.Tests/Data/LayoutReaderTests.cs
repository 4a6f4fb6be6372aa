using Dspt.Data;

namespace Dspt.Tests.Data;

/// <summary>FGVC-Aircraft, ImageNet and Food-101N: CoOp's text-file layouts.</summary>
public class LayoutReaderTests
{
    [Fact]
    public void Fgvc_aircraft_reads_variants_and_split_files()
    {
        using var tmp = Repo.Temp();
        string dir = Path.Combine(tmp.Path, "fgvc_aircraft");
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "variants.txt"), ["707-320", "A300B4", "Cessna 172", ""]);
        var lines = new Dictionary<string, List<string>> { ["train"] = [], ["val"] = [], ["test"] = [] };
        int id = 1000000;
        string[] variants = ["707-320", "A300B4", "Cessna 172"];
        foreach (var split in lines.Keys)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < (split == "train" ? 3 : 1); i++)
                {
                    DataFixtures.Image(Path.Combine(dir, "images", $"{id}.jpg"), c);
                    lines[split].Add($"{id++} {variants[c]}");
                }
        foreach (var (split, l) in lines) File.WriteAllLines(Path.Combine(dir, $"images_variant_{split}.txt"), l);

        var d = DatasetReader.Read(dir);
        Assert.Equal((DatasetFormats.FgvcAircraft, "FGVCAircraft"), (d.Format, d.Name));
        Assert.Equal(variants, d.ClassNames);
        Assert.Equal("a photo of a Cessna 172, a type of aircraft.", d.Prompt(2));
        Assert.Equal((9, 3, 3), (d.Train.Count, d.Val.Count, d.Test.Count));
        Assert.Equal(new DataItem("images/1000006.jpg", 2), d.Train[6]);

        File.AppendAllLines(Path.Combine(dir, "images_variant_test.txt"), ["1000000 Boeing 999"]);
        var e = Assert.Throws<InvalidInputException>(() => DatasetReader.Read(dir));
        Assert.Contains("images_variant_test.txt: line 4: variant 'Boeing 999' is not in variants.txt", e.Message);
    }

    [Fact]
    public void ImageNet_reads_classnames_and_uses_val_as_test()
    {
        using var tmp = Repo.Temp();
        string dir = Path.Combine(tmp.Path, "imagenet");
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "classnames.txt"), ["n01440764 tench", "n01443537 goldfish", "n01484850 great white shark"]);
        string[] wnids = ["n01484850", "n01440764", "n01443537"]; // created out of order: labels follow sorted names
        foreach (var w in wnids)
        {
            for (int i = 0; i < 3; i++) DataFixtures.Image(Path.Combine(dir, "images", "train", w, $"{w}_{i}.JPEG".Replace(".JPEG", ".jpeg")), 0);
            DataFixtures.Image(Path.Combine(dir, "images", "val", w, $"ILSVRC2012_val_{w}.jpeg"), 0);
        }
        var d = DatasetReader.Read(dir);
        Assert.Equal((DatasetFormats.ImageNet, "ImageNet"), (d.Format, d.Name));
        Assert.Equal(["tench", "goldfish", "great white shark"], d.ClassNames);
        Assert.Equal((9, 3, 3), (d.Train.Count, d.Val.Count, d.Test.Count));
        Assert.Equal(d.Test, d.Val);
        Assert.Equal(new DataItem("images/val/n01484850/ILSVRC2012_val_n01484850.jpeg", 2), d.Test[2]);

        Directory.CreateDirectory(Path.Combine(dir, "images", "train", "n09999999"));
        var e = Assert.Throws<InvalidInputException>(() => DatasetReader.Read(dir));
        Assert.Contains("has no name for the class folder images/train/n09999999", e.Message);
    }

    [Fact]
    public void Food101N_has_web_labels_and_Food101_test_split_relabelled_by_name()
    {
        using var tmp = Repo.Temp();
        // Food-101 with its CoOp split, classes in its own order.
        DataFixtures.Coop(tmp.Path, "Food101", "food-101", "images", ["apple_pie", "baklava", "churros"], [(1, 1, 2), (1, 1, 2), (1, 1, 2)]);
        string noisy = Path.Combine(tmp.Path, "food-101n");
        File.WriteAllLines(Path.Combine(Directory.CreateDirectory(Path.Combine(noisy, "meta")).FullName, "classes.txt"),
            ["class_name", "apple_pie", "baklava", "churros"]);
        var list = new List<string> { "class_name/key" };
        foreach (var (cls, c) in new[] { ("apple_pie", 0), ("baklava", 1), ("churros", 2) })
            for (int i = 0; i < 4; i++)
            {
                DataFixtures.Image(Path.Combine(noisy, "images", cls, $"k{c}{i}.jpg"), c);
                if (i < 3) list.Add($"{cls}/k{c}{i}.jpg"); // imagelist.tsv decides which images train uses
            }
        File.WriteAllLines(Path.Combine(noisy, "meta", "imagelist.tsv"), list);

        var d = DatasetReader.Read(noisy);
        Assert.Equal((DatasetFormats.Food101N, "Food101N", tmp.Path), (d.Format, d.Name, d.Root));
        Assert.Equal(["apple pie", "baklava", "churros"], d.ClassNames);
        Assert.Equal("a photo of {}, a type of food.", d.Template);
        Assert.Equal((9, 3, 6), (d.Train.Count, d.Val.Count, d.Test.Count));
        Assert.Equal(new DataItem("food-101n/images/baklava/k11.jpg", 1), d.Train[4]);
        Assert.All(d.Test, i => Assert.StartsWith("food-101/images/", i.Path));
        Assert.Equal([0, 0, 1, 1, 2, 2], d.Test.Select(i => i.Label));

        // Without imagelist.tsv the class folders are listed; without food-101 there is no test split.
        File.Delete(Path.Combine(noisy, "meta", "imagelist.tsv"));
        Assert.Equal(12, DatasetReader.Read(noisy, DatasetFormats.Food101N).Train.Count);
        Directory.Move(Path.Combine(tmp.Path, "food-101"), Path.Combine(tmp.Path, "elsewhere"));
        var e = Assert.Throws<InvalidInputException>(() => DatasetReader.Read(noisy));
        Assert.Contains("evaluated on Food-101's test split", e.Message);
    }
}
