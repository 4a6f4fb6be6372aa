using Dspt.Data;

namespace Dspt.Tests.Data;

public class CoopSplitReaderTests
{
    static readonly (int, int, int)[] Counts = [(5, 2, 3), (4, 1, 2), (6, 2, 2)];

    [Fact]
    public void Reads_OxfordPets_with_CoOp_names_template_and_paths()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Coop(tmp.Path, "OxfordPets", "oxford_pets", "images", ["abyssinian", "american_bulldog", "pug"], Counts);

        foreach (var path in new[] { dir, Path.Combine(dir, "split_zhou_OxfordPets.json") })
        {
            var d = DatasetReader.Read(path);
            Assert.Equal("OxfordPets", d.Name);
            Assert.Equal(DatasetFormats.Coop, d.Format);
            Assert.Equal(dir, d.Root);
            Assert.Equal(["abyssinian", "american bulldog", "pug"], d.ClassNames);
            Assert.Equal("a photo of a {}, a type of pet.", d.Template);
            Assert.Equal("a photo of a american bulldog, a type of pet.", d.Prompt(1));
            Assert.Equal((15, 5, 7), (d.Train.Count, d.Val.Count, d.Test.Count));
            Assert.Equal(new DataItem("images/american_bulldog/american_bulldog_000.jpg", 1), d.Train[5]);
            Assert.All(d.Train.Concat(d.Val).Concat(d.Test), i => Assert.True(File.Exists(Path.Combine(d.Root, i.Path))));
        }
    }

    [Theory]
    [InlineData("Caltech101", "caltech-101", "101_ObjectCategories", "a photo of a {}.")]
    [InlineData("StanfordCars", "stanford_cars", "", "a photo of a {}.")]
    [InlineData("OxfordFlowers", "oxford_flowers", "jpg", "a photo of a {}, a type of flower.")]
    [InlineData("Food101", "food-101", "images", "a photo of {}, a type of food.")]
    [InlineData("SUN397", "sun397", "SUN397", "a photo of a {}.")]
    [InlineData("DescribableTextures", "dtd", "images", "{} texture.")]
    [InlineData("EuroSAT", "eurosat", "2750", "a centered satellite photo of {}.")]
    [InlineData("UCF101", "ucf101", "UCF-101-midframes", "a photo of a person doing {}.")]
    public void Each_CoOp_dataset_has_its_image_folder_and_template(string name, string folder, string imageDir, string template)
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Coop(tmp.Path, name, folder, imageDir, ["a_b", "c"], [(2, 1, 1), (2, 1, 1)]);
        var d = DatasetReader.Read(dir);
        Assert.Equal(name, d.Name);
        Assert.Equal(template, d.Template);
        Assert.Equal(["a b", "c"], d.ClassNames);
        string prefix = imageDir.Length == 0 ? "" : imageDir + "/";
        Assert.Equal($"{prefix}a_b/a_b_000.jpg", d.Train[0].Path);
    }

    [Fact]
    public void Dataset_specific_renames_apply_to_raw_names_and_keep_renamed_ones()
    {
        using var tmp = Repo.Temp();
        string euro = DataFixtures.Coop(tmp.Path, "EuroSAT", "eurosat", "2750", ["AnnualCrop", "Sea or Lake", "HerbaceousVegetation"], [(1, 1, 1), (1, 1, 1), (1, 1, 1)]);
        Assert.Equal(["Annual Crop Land", "Sea or Lake", "Herbaceous Vegetation Land"], DatasetReader.Read(euro).ClassNames);

        string caltech = DataFixtures.Coop(tmp.Path, "Caltech101", "caltech-101", "101_ObjectCategories",
            ["airplanes", "Faces", "Leopards", "Motorbikes", "face", "yin_yang"], Enumerable.Repeat((1, 1, 1), 6).ToList());
        var warnings = new List<string>();
        Assert.Equal(["airplane", "face", "leopard", "motorbike", "face", "yin yang"], DatasetReader.Read(caltech, warn: warnings.Add).ClassNames);
        Assert.Contains(warnings, w => w.Contains("'face'"));
    }

    [Fact]
    public void Unknown_split_name_reads_with_the_default_template()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Coop(tmp.Path, "MyData", "mine", "images", ["x", "y"], [(1, 1, 1), (1, 1, 1)]);
        var d = DatasetReader.Read(dir);
        Assert.Equal("MyData", d.Name);
        Assert.Equal("a photo of a {}.", d.Template);
        Assert.Equal("images/x/x_000.jpg", d.Train[0].Path);
    }
}
