namespace Dspt.Data;

/// <summary>
/// A plain image folder: root/&lt;class&gt;/* (labels follow the sorted folder names, split by
/// <see cref="DatasetOptions.SplitRatios"/> and <see cref="DatasetOptions.SplitSeed"/>), or
/// root/{train,val,test}/&lt;class&gt;/* with the split given by the folders. A CoOp dataset folder
/// without its split file (caltech-101/101_ObjectCategories, eurosat/2750, dtd/images,
/// food-101/images) is read the way CoOp builds its split from class folders: the dataset's
/// ignored folders are dropped and its renames applied.
/// </summary>
internal static class ImageFolderReader
{
    static readonly string[] SplitFolders = ["train", "val", "test"];

    public static Dataset Read(string dir, DatasetOptions options, Action<string>? warn)
    {
        var guard = new RootGuard(dir);
        var coop = UnsplitCoopDataset(guard.Root);
        string imageDir = coop is null ? guard.Root : Path.Combine(guard.Root, coop.ImageDir);
        if (coop is not null)
            warn?.Invoke($"{guard.Root}: no {coop.SplitFile}, so the {coop.Name} classes are split by ratio " +
                         $"{string.Join("/", options.SplitRatios)} with seed {options.SplitSeed}; results are not comparable " +
                         $"with published ones until you add CoOp's split file");

        var top = ImageListing.Folders(imageDir);
        bool presplit = top.Count > 0 && top.All(f => SplitFolders.Contains(f, StringComparer.Ordinal)) && top.Contains("train");
        string classRoot = presplit ? Path.Combine(imageDir, "train") : imageDir;
        var folders = ImageListing.CheckedFolders(guard, classRoot).Where(f => coop is null || !coop.Ignored.Contains(f)).ToList();
        if (folders.Count == 0)
            throw new InvalidInputException($"{classRoot}: no class folders (expected <root>/<class>/<image>)");
        var label = folders.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i, StringComparer.Ordinal);

        string source = Path.GetFileName(guard.Root);
        var collector = new SplitCollector(guard, source, options, warn);
        int other = 0;
        if (presplit)
        {
            foreach (var split in top)
            {
                string splitDir = Path.Combine(imageDir, split);
                foreach (var folder in ImageListing.CheckedFolders(guard, splitDir))
                {
                    if (!label.TryGetValue(folder, out int y))
                        throw new InvalidInputException($"{splitDir}/{folder}: class folder is not in {classRoot}");
                    foreach (var file in ImageListing.Images(Path.Combine(splitDir, folder), ref other))
                        collector.Add(Enum.Parse<Split>(split, ignoreCase: true), splitDir, $"{folder}/{file}", y, $"{split}/{folder}");
                }
            }
        }
        else
        {
            RatioSplit.Validate(options.SplitRatios);
            foreach (var folder in folders)
                foreach (var file in ImageListing.Images(Path.Combine(imageDir, folder), ref other))
                    collector.Add(Split.Pool, imageDir, $"{folder}/{file}", label[folder], folder);
        }
        if (other > 0) warn?.Invoke($"{source}: skipped {other} non-image file(s) in the class folders");

        return DatasetReader.Build(coop?.Name ?? source, DatasetFormats.Folder, guard, folders, coop,
            coop?.Template ?? CoopDatasets.DefaultTemplate, collector, options, warn);
    }

    static CoopDataset? UnsplitCoopDataset(string root)
    {
        string folder = Path.GetFileName(root);
        foreach (var d in CoopDatasets.All)
            if (d.Name is "Caltech101" or "EuroSAT" or "DescribableTextures" or "Food101"
                && string.Equals(folder, d.Folder, StringComparison.OrdinalIgnoreCase)
                && Directory.Exists(Path.Combine(root, d.ImageDir)))
                return d;
        return null;
    }
}
