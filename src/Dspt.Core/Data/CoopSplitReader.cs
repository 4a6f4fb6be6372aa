using Dspt.IO;
using System.Text.Json;

namespace Dspt.Data;

/// <summary>
/// A CoOp split file, split_zhou_&lt;Name&gt;.json: {"train": [[path, label, classname], ...],
/// "val": [...], "test": [...]}, paths relative to the dataset's image folder (CoOp's
/// OxfordPets.read_split). As in Dassl, the class count is the largest training label + 1 and
/// each label's name comes from the training entries; val and test must agree with them.
/// </summary>
internal static class CoopSplitReader
{
    static readonly string[] SplitNames = ["train", "val", "test"];

    public static Dataset Read(string splitPath, DatasetOptions options, Action<string>? warn)
    {
        string file = Path.GetFileName(splitPath);
        string datasetDir = Path.GetDirectoryName(Path.GetFullPath(splitPath))!;
        string name = file.StartsWith("split_zhou_", StringComparison.Ordinal) && file.EndsWith(".json", StringComparison.Ordinal)
            ? file["split_zhou_".Length..^".json".Length]
            : Path.GetFileNameWithoutExtension(file);
        var info = CoopDatasets.Find(name);
        string imageDir = info is not null
            ? Path.Combine(datasetDir, info.ImageDir)
            : Directory.Exists(Path.Combine(datasetDir, "images")) ? Path.Combine(datasetDir, "images") : datasetDir;
        if (!Directory.Exists(imageDir))
            throw new InvalidInputException(
                $"{splitPath}: its image folder {imageDir} is missing (CoOp's layout: {info?.Folder}/{info?.ImageDir} beside {file})");

        var entries = Parse(splitPath);
        var names = ClassNamesFromTrain(splitPath, entries);
        var guard = new RootGuard(datasetDir);
        if (!guard.FolderIsInside(imageDir))
            throw new InvalidInputException($"{splitPath}: image folder {imageDir} is a link that leaves the dataset root {guard.Root}");
        var collector = new SplitCollector(guard, file, options, warn);
        for (int s = 0; s < SplitNames.Length; s++)
            for (int i = 0; i < entries[s].Count; i++)
            {
                var (path, label, _) = entries[s][i];
                collector.Add((Split)s, imageDir, path, label, $"{SplitNames[s]}[{i}]");
            }
        return DatasetReader.Build(info?.Name ?? name, DatasetFormats.Coop, guard, names, info,
            info?.Template ?? CoopDatasets.DefaultTemplate, collector, options, warn);
    }

    /// <summary>The class table is sized by the largest label, so that label is bounded (ImageNet-21k has 21 841).</summary>
    public const int MaxClasses = 1 << 20;

    static List<(string Path, int Label, string ClassName)>[] Parse(string splitPath)
    {
        using (var doc = JsonFile.Parse(splitPath))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidInputException($"{splitPath}: expected an object with \"train\", \"val\" and \"test\" arrays");
            var result = new List<(string, int, string)>[SplitNames.Length];
            for (int s = 0; s < SplitNames.Length; s++)
            {
                if (!doc.RootElement.TryGetProperty(SplitNames[s], out var array) || array.ValueKind != JsonValueKind.Array)
                    throw new InvalidInputException($"{splitPath}: \"{SplitNames[s]}\" is missing or not an array");
                var list = result[s] = new List<(string, int, string)>(array.GetArrayLength());
                int i = 0;
                foreach (var e in array.EnumerateArray())
                {
                    string where = $"{SplitNames[s]}[{i++}]";
                    if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 3
                        || e[0].ValueKind != JsonValueKind.String || e[2].ValueKind != JsonValueKind.String)
                        throw new InvalidInputException($"{splitPath}: {where}: expected [relative_path, label, classname], got {Shorten(e.GetRawText())}");
                    if (e[1].ValueKind != JsonValueKind.Number || !e[1].TryGetInt32(out int label) || label < 0 || label >= MaxClasses)
                        throw new InvalidInputException($"{splitPath}: {where}: label {e[1].GetRawText()} is out of range (expected an integer from 0 to {MaxClasses - 1})");
                    list.Add((e[0].GetString()!, label, e[2].GetString()!));
                }
            }
            return result;
        }
    }

    /// <summary>Label -> name from train; val/test labels must lie in range and carry the same name.</summary>
    static List<string> ClassNamesFromTrain(string splitPath, List<(string Path, int Label, string ClassName)>[] entries)
    {
        if (entries[0].Count == 0)
            throw new InvalidInputException($"{splitPath}: \"train\" is empty");
        int numClasses = entries[0].Max(e => e.Label) + 1;
        var names = new string?[numClasses];
        var firstSeen = new string[numClasses];
        for (int s = 0; s < SplitNames.Length; s++)
            for (int i = 0; i < entries[s].Count; i++)
            {
                var (_, label, className) = entries[s][i];
                string where = $"{SplitNames[s]}[{i}]";
                if (label >= numClasses)
                    throw new InvalidInputException(
                        $"{splitPath}: {where}: label {label} is out of range: the training entries define {numClasses} classes (0..{numClasses - 1})");
                if (names[label] is null)
                {
                    names[label] = className;
                    firstSeen[label] = where;
                }
                else if (names[label] != className)
                    throw new InvalidInputException(
                        $"{splitPath}: {where}: label {label} is named '{className}' but {firstSeen[label]} names it '{names[label]}'");
            }
        return names.Select((n, c) => n ?? $"class {c}").ToList();
    }

    static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
