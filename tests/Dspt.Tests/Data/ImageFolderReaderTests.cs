using Dspt.Data;

namespace Dspt.Tests.Data;

public class ImageFolderReaderTests
{
    [Fact]
    public void Classes_follow_sorted_folders_and_split_by_ratio_per_class()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Folder(tmp["pets_mine"], ["zebra", "ant_eater", "cat"], [10, 5, 7]);
        File.WriteAllText(Path.Combine(dir, "cat", "notes.txt"), "not an image");
        File.WriteAllText(Path.Combine(dir, "cat", ".hidden.png"), "hidden");
        var warnings = new List<string>();
        var d = DatasetReader.Read(dir, warn: warnings.Add);

        Assert.Equal((DatasetFormats.Folder, "pets_mine"), (d.Format, d.Name));
        Assert.Equal(["ant eater", "cat", "zebra"], d.ClassNames);
        Assert.Equal("a photo of a {}.", d.Template);
        Assert.Contains(warnings, w => w.Contains("skipped 1 non-image file(s)"));
        // CoOp's rule: n_train = round(0.5 n), n_val = round(0.2 n) with Python's half-to-even.
        int[] n = [5, 7, 10];
        for (int c = 0; c < 3; c++)
        {
            int train = (int)Math.Round(0.5 * n[c], MidpointRounding.ToEven), val = (int)Math.Round(0.2 * n[c], MidpointRounding.ToEven);
            Assert.Equal(train, d.Train.Count(i => i.Label == c));
            Assert.Equal(val, d.Val.Count(i => i.Label == c));
            Assert.Equal(n[c] - train - val, d.Test.Count(i => i.Label == c));
        }
        var all = d.Train.Concat(d.Val).Concat(d.Test).Select(i => i.Path).ToList();
        Assert.Equal(22, all.Distinct().Count());
        Assert.All(d.Train.Concat(d.Val).Concat(d.Test), i => Assert.StartsWith(d.ClassNames[i.Label].Replace(' ', '_') + "/", i.Path));
    }

    [Fact]
    public void Split_is_deterministic_for_a_split_seed()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Folder(tmp["f"], ["a", "b"], [12, 12]);
        var d1 = DatasetReader.Read(dir, options: new DatasetOptions { SplitSeed = 7 });
        var d2 = DatasetReader.Read(dir, options: new DatasetOptions { SplitSeed = 7 });
        var d3 = DatasetReader.Read(dir, options: new DatasetOptions { SplitSeed = 8 });
        Assert.Equal(d1.Train, d2.Train);
        Assert.Equal(d1.Test, d2.Test);
        Assert.NotEqual(d1.Train, d3.Train);

        var all = DatasetReader.Read(dir, options: new DatasetOptions { SplitRatios = [1, 0, 0] });
        Assert.Equal((24, 0, 0), (all.Train.Count, all.Val.Count, all.Test.Count));
        var e = Assert.Throws<InvalidInputException>(() => DatasetReader.Read(dir, options: new DatasetOptions { SplitRatios = [0.5, 0.5, 0.5] }));
        Assert.Contains("sum to 1", e.Message);
    }

    [Fact]
    public void Presplit_train_val_test_folders_are_kept()
    {
        using var tmp = Repo.Temp();
        DataFixtures.Folder(tmp["d/train"], ["a", "b"], [3, 4]);
        DataFixtures.Folder(tmp["d/val"], ["a", "b"], [1, 1]);
        DataFixtures.Folder(tmp["d/test"], ["b"], [2]);
        var d = DatasetReader.Read(tmp["d"]);
        Assert.Equal(["a", "b"], d.ClassNames);
        Assert.Equal((7, 2, 2), (d.Train.Count, d.Val.Count, d.Test.Count));
        Assert.Equal(new DataItem("test/b/img000.png", 1), d.Test[0]);
    }

    [Fact]
    public void CoOp_folder_without_split_file_drops_ignored_classes_and_renames()
    {
        using var tmp = Repo.Temp();
        string dir = tmp["caltech-101"];
        DataFixtures.Folder(Path.Combine(dir, "101_ObjectCategories"), ["BACKGROUND_Google", "Faces", "Faces_easy", "airplanes", "yin_yang"], [4, 4, 4, 4, 4]);
        var warnings = new List<string>();
        var d = DatasetReader.Read(dir, warn: warnings.Add);
        Assert.Equal("Caltech101", d.Name);
        Assert.Equal(["face", "airplane", "yin yang"], d.ClassNames);
        Assert.Contains(warnings, w => w.Contains("no split_zhou_Caltech101.json") && w.Contains("not comparable"));
        Assert.All(d.Train, i => Assert.StartsWith("101_ObjectCategories/", i.Path));

        string euro = tmp["eurosat"];
        DataFixtures.Folder(Path.Combine(euro, "2750"), ["AnnualCrop", "SeaLake"], [4, 4]);
        var e = DatasetReader.Read(euro);
        Assert.Equal(["Annual Crop Land", "Sea or Lake"], e.ClassNames);
        Assert.Equal("a centered satellite photo of {}.", e.Template);
    }
}
