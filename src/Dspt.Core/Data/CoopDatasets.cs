using System.Collections.Frozen;

namespace Dspt.Data;

/// <summary>
/// One dataset of the CoOp benchmark as CoOp's datasets/*.py define it: its folder under the data
/// root, the image folder that split-file paths are relative to, the zero-shot template
/// (trainers/zsclip.py CUSTOM_TEMPLATES) and the class renames / ignored folders it applies when
/// it builds a split from class folders.
/// </summary>
public sealed record CoopDataset(
    string Name,
    string Folder,
    string ImageDir,
    string Template,
    IReadOnlyDictionary<string, string> Renames,
    IReadOnlyList<string> Ignored)
{
    public string SplitFile => $"split_zhou_{Name}.json";
}

public static class CoopDatasets
{
    public const string DefaultTemplate = "a photo of a {}.";

    static readonly FrozenDictionary<string, string> NoRenames = FrozenDictionary<string, string>.Empty;

    /// <summary>The 11 datasets plus Food-101N (which takes Food-101's template).</summary>
    public static IReadOnlyList<CoopDataset> All { get; } =
    [
        new("ImageNet", "imagenet", "images", DefaultTemplate, NoRenames, []),
        new("Caltech101", "caltech-101", "101_ObjectCategories", DefaultTemplate,
            new Dictionary<string, string>
            {
                ["airplanes"] = "airplane", ["Faces"] = "face", ["Leopards"] = "leopard", ["Motorbikes"] = "motorbike",
            }.ToFrozenDictionary(),
            ["BACKGROUND_Google", "Faces_easy"]),
        new("OxfordPets", "oxford_pets", "images", "a photo of a {}, a type of pet.", NoRenames, []),
        new("StanfordCars", "stanford_cars", "", DefaultTemplate, NoRenames, []),
        new("OxfordFlowers", "oxford_flowers", "jpg", "a photo of a {}, a type of flower.", NoRenames, []),
        new("Food101", "food-101", "images", "a photo of {}, a type of food.", NoRenames, []),
        new("FGVCAircraft", "fgvc_aircraft", "images", "a photo of a {}, a type of aircraft.", NoRenames, []),
        new("SUN397", "sun397", "SUN397", DefaultTemplate, NoRenames, []),
        new("DescribableTextures", "dtd", "images", "{} texture.", NoRenames, []),
        new("EuroSAT", "eurosat", "2750", "a centered satellite photo of {}.",
            new Dictionary<string, string>
            {
                ["AnnualCrop"] = "Annual Crop Land", ["Forest"] = "Forest",
                ["HerbaceousVegetation"] = "Herbaceous Vegetation Land", ["Highway"] = "Highway or Road",
                ["Industrial"] = "Industrial Buildings", ["Pasture"] = "Pasture Land",
                ["PermanentCrop"] = "Permanent Crop Land", ["Residential"] = "Residential Buildings",
                ["River"] = "River", ["SeaLake"] = "Sea or Lake",
            }.ToFrozenDictionary(),
            []),
        new("UCF101", "ucf101", "UCF-101-midframes", "a photo of a person doing {}.", NoRenames, []),
        new("Food101N", "food-101n", "images", "a photo of {}, a type of food.", NoRenames, []),
    ];

    /// <summary>By name (as in split_zhou_&lt;Name&gt;.json), case-insensitive; null if unknown.</summary>
    public static CoopDataset? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// CoOp's class-name clean-up: the dataset's rename (applied to the raw name, so names that
    /// are already renamed, as in the published split files, pass unchanged), then underscores
    /// become spaces (CoOp's PromptLearner does name.replace("_", " ")).
    /// </summary>
    public static string CleanClassName(string raw, CoopDataset? dataset)
    {
        string name = dataset is not null && dataset.Renames.TryGetValue(raw, out var renamed) ? renamed : raw;
        return name.Replace('_', ' ').Trim();
    }
}
