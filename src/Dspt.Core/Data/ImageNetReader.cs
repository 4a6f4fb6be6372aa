namespace Dspt.Data;

/// <summary>
/// ImageNet as CoOp reads it (datasets/imagenet.py): classnames.txt holds "&lt;wnid&gt; &lt;name&gt;" lines;
/// labels follow the sorted folder names of images/train; the test split is images/val (in
/// class folders), which CoOp also uses as its val split.
/// </summary>
internal static class ImageNetReader
{
    public static bool Matches(string dir) =>
        File.Exists(Path.Combine(dir, "classnames.txt")) && Directory.Exists(Path.Combine(dir, "images", "train"));

    public static Dataset Read(string dir, DatasetOptions options, Action<string>? warn)
    {
        var info = CoopDatasets.Find("ImageNet")!;
        var guard = new RootGuard(dir);
        string classFile = Path.Combine(guard.Root, "classnames.txt");
        var wnidName = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = TextLines.Read(classFile, "ImageNet class names");
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            if (space <= 0)
                throw new InvalidInputException($"{classFile}: line {i + 1}: expected \"<wnid> <class name>\", got '{line}'");
            if (!wnidName.TryAdd(line[..space], line[(space + 1)..].Trim()))
                throw new InvalidInputException($"{classFile}: line {i + 1}: folder '{line[..space]}' is listed twice");
        }

        string trainDir = Path.Combine(guard.Root, "images", "train");
        string valDir = Path.Combine(guard.Root, "images", "val");
        var folders = ImageListing.CheckedFolders(guard, trainDir);
        var names = new List<string>();
        foreach (var folder in folders)
            names.Add(wnidName.TryGetValue(folder, out var n)
                ? n
                : throw new InvalidInputException($"{classFile}: has no name for the class folder images/train/{folder}"));
        var label = folders.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i, StringComparer.Ordinal);

        var collector = new SplitCollector(guard, "imagenet", options, warn);
        int other = 0;
        foreach (var folder in folders)
            foreach (var file in ImageListing.Images(Path.Combine(trainDir, folder), ref other))
                collector.Add(Split.Train, trainDir, $"{folder}/{file}", label[folder], $"images/train/{folder}");
        if (Directory.Exists(valDir))
            foreach (var folder in ImageListing.CheckedFolders(guard, valDir))
            {
                if (!label.TryGetValue(folder, out int y))
                    throw new InvalidInputException($"{valDir}/{folder}: class folder is not in images/train");
                foreach (var file in ImageListing.Images(Path.Combine(valDir, folder), ref other))
                    collector.Add(Split.Test, valDir, $"{folder}/{file}", y, $"images/val/{folder}");
            }
        else
            warn?.Invoke($"{valDir}: not found; the dataset has no test split");
        if (other > 0) warn?.Invoke($"imagenet: skipped {other} non-image file(s) in the class folders");

        var dataset = DatasetReader.Build(info.Name, DatasetFormats.ImageNet, guard, names, info, info.Template, collector, options, warn);
        return dataset with { Val = dataset.Test };
    }
}
