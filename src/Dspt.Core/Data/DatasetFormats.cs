namespace Dspt.Data;

/// <summary>The layouts <see cref="DatasetReader"/> reads, and how a path's layout is detected.</summary>
public static class DatasetFormats
{
    public const string Coop = "coop";                  // split_zhou_<Name>.json + image folder
    public const string FgvcAircraft = "fgvc-aircraft"; // variants.txt + images_variant_*.txt
    public const string ImageNet = "imagenet";          // classnames.txt + images/{train,val}/<wnid>/
    public const string Food101N = "food-101n";         // images/<class>/ (web labels) + ../food-101
    public const string Folder = "folder";              // <root>/<class>/* or <root>/{train,val,test}/<class>/*
    public const string Manifest = "manifest";          // .csv or .jsonl

    public static IReadOnlyList<string> All { get; } = [Coop, FgvcAircraft, ImageNet, Food101N, Folder, Manifest];

    /// <summary>
    /// The layout of <paramref name="path"/>: a split_zhou file or a folder holding exactly one;
    /// FGVC-Aircraft's text files; ImageNet's classnames.txt + images/train; Food-101N; a .csv or
    /// .jsonl manifest; otherwise an image folder.
    /// </summary>
    public static string Detect(string path)
    {
        if (File.Exists(path))
        {
            if (Path.GetFileName(path).StartsWith("split_zhou_", StringComparison.Ordinal)) return Coop;
            if (ManifestReader.IsManifest(path)) return Manifest;
            throw new InvalidInputException(
                $"{path}: not a dataset file (expected split_zhou_<Name>.json, a .csv or .jsonl manifest, or a dataset folder)");
        }
        if (!Directory.Exists(path))
            throw new InvalidInputException($"{path}: no such file or folder");
        if (Directory.EnumerateFiles(path, "split_zhou_*.json").Any()) return Coop;
        if (FgvcAircraftReader.Matches(path)) return FgvcAircraft;
        if (ImageNetReader.Matches(path)) return ImageNet;
        if (Food101NReader.Matches(path)) return Food101N;
        return Folder;
    }
}
