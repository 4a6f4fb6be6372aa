using Dspt.IO;
using System.Text.Json;

namespace Dspt.Data;

/// <summary>
/// Food-101N (Lee et al., CVPR 2018): images/&lt;class&gt;/&lt;key&gt;.jpg whose folder is the web
/// (noisy) label; meta/classes.txt and meta/imagelist.tsv when present (each with a header line).
/// Evaluation uses Food-101's test split, so a food-101 folder must sit beside it (the CoOp data
/// root layout, as in JoAPR): its split_zhou_Food101.json gives test and the clean val split, or,
/// without it, meta/test.txt gives test. The dataset root is the folder holding both.
/// The clean labels of Food-101N's training images are unknown: training labels are web labels.
/// </summary>
internal static class Food101NReader
{
    static readonly string[] FolderNames = ["food-101n", "food-101n_release"];

    public static bool Matches(string dir) =>
        Directory.Exists(Path.Combine(dir, "images"))
        && (File.Exists(Path.Combine(dir, "meta", "imagelist.tsv"))
            || FolderNames.Contains(Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)), StringComparer.OrdinalIgnoreCase));

    public static Dataset Read(string dir, DatasetOptions options, Action<string>? warn)
    {
        var info = CoopDatasets.Find("Food101N")!;
        string noisyDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        string dataRoot = Path.GetDirectoryName(noisyDir)!;
        string cleanDir = Path.Combine(dataRoot, "food-101");
        if (!Directory.Exists(cleanDir))
            throw new InvalidInputException(
                $"{noisyDir}: Food-101N is evaluated on Food-101's test split, but {cleanDir} is missing (put food-101 beside it)");
        var guard = new RootGuard(dataRoot);
        foreach (var d in new[] { noisyDir, cleanDir })
            if (!guard.FolderIsInside(d))
                throw new InvalidInputException($"{d}: a link that leaves the dataset root {guard.Root}; nothing outside the root is read");

        string imageDir = Path.Combine(noisyDir, "images");
        string classesFile = Path.Combine(noisyDir, "meta", "classes.txt");
        var names = File.Exists(classesFile)
            ? TextLines.ReadNameList(classesFile, "Food-101N class names", skipHeader: FirstLine(classesFile) == "class_name")
            : ImageListing.Folders(imageDir);
        if (names.Count == 0) throw new InvalidInputException($"{imageDir}: no class folders");
        var label = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);

        var collector = new SplitCollector(guard, "food-101n", options, warn);
        AddTrain(collector, noisyDir, imageDir, label, warn);
        AddFood101(collector, cleanDir, label, warn);
        return DatasetReader.Build(info.Name, DatasetFormats.Food101N, guard, names, info, info.Template, collector, options, warn);
    }

    static void AddTrain(SplitCollector collector, string noisyDir, string imageDir, Dictionary<string, int> label, Action<string>? warn)
    {
        string list = Path.Combine(noisyDir, "meta", "imagelist.tsv");
        if (File.Exists(list))
        {
            var lines = TextLines.Read(list, "Food-101N image list");
            for (int i = lines.Length > 0 && lines[0].Trim() == "class_name/key" ? 1 : 0; i < lines.Length; i++)
            {
                string entry = lines[i].Trim();
                if (entry.Length == 0) continue;
                int slash = entry.IndexOf('/');
                string cls = slash > 0 ? entry[..slash] : "";
                if (!label.TryGetValue(cls, out int y))
                    throw new InvalidInputException($"{list}: line {i + 1}: '{entry}' is not in a known class folder (expected <class>/<key>.jpg)");
                // The release lists "<class>/<key>.jpg"; accept the key without its extension too.
                if (!ImageListing.IsImage(entry)) entry += ".jpg";
                collector.Add(Split.Train, imageDir, entry, y, $"imagelist.tsv line {i + 1}");
            }
            return;
        }
        int other = 0;
        foreach (var (cls, y) in label.OrderBy(p => p.Value))
        {
            string folder = Path.Combine(imageDir, cls);
            if (!Directory.Exists(folder)) continue; // reported as a class without training images
            if (!collector.Guard.FolderIsInside(folder))
                throw new InvalidInputException($"{folder}: a link that leaves the dataset root {collector.Guard.Root}; nothing outside the root is read");
            foreach (var file in ImageListing.Images(folder, ref other))
                collector.Add(Split.Train, imageDir, $"{cls}/{file}", y, $"images/{cls}");
        }
        if (other > 0) warn?.Invoke($"food-101n: skipped {other} non-image file(s) in the class folders");
    }

    /// <summary>Food-101's val and test splits, relabelled by class name to Food-101N's labels.</summary>
    static void AddFood101(SplitCollector collector, string cleanDir, Dictionary<string, int> label, Action<string>? warn)
    {
        string imageDir = Path.Combine(cleanDir, "images");
        string splitFile = Path.Combine(cleanDir, "split_zhou_Food101.json");
        if (File.Exists(splitFile))
        {
            using var doc = JsonFile.Parse(splitFile);
            foreach (var (key, split) in new[] { ("val", Split.Val), ("test", Split.Test) })
            {
                if (!doc.RootElement.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
                    throw new InvalidInputException($"{splitFile}: \"{key}\" is missing or not an array");
                int i = 0;
                foreach (var e in array.EnumerateArray())
                {
                    string where = $"{key}[{i++}]";
                    if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 3
                        || e[0].ValueKind != JsonValueKind.String || e[2].ValueKind != JsonValueKind.String)
                        throw new InvalidInputException($"{splitFile}: {where}: expected [relative_path, label, classname]");
                    string cls = e[2].GetString()!;
                    if (!label.TryGetValue(cls, out int y))
                        throw new InvalidInputException($"{splitFile}: {where}: class '{cls}' is not a Food-101N class");
                    collector.Add(split, imageDir, e[0].GetString()!, y, $"split_zhou_Food101.json {where}");
                }
            }
            return;
        }
        string testList = Path.Combine(cleanDir, "meta", "test.txt");
        var lines = TextLines.Read(testList, "Food-101 test split (or put split_zhou_Food101.json in food-101)");
        for (int i = 0; i < lines.Length; i++)
        {
            string entry = lines[i].Trim();
            if (entry.Length == 0) continue;
            int slash = entry.IndexOf('/');
            string cls = slash > 0 ? entry[..slash] : "";
            if (!label.TryGetValue(cls, out int y))
                throw new InvalidInputException($"{testList}: line {i + 1}: class '{cls}' is not a Food-101N class");
            collector.Add(Split.Test, imageDir, entry + ".jpg", y, $"food-101/meta/test.txt line {i + 1}");
        }
        warn?.Invoke($"{cleanDir}: no split_zhou_Food101.json, so there is no val split (test from meta/test.txt)");
    }

    static string FirstLine(string path) => File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";

}
