namespace Dspt.Data;

/// <summary>
/// Reads a dataset the way the CoOp family of papers does. <c>path</c> is a dataset
/// folder or file; its layout is detected (<see cref="DatasetFormats.Detect"/>) unless
/// <c>format</c> names it. Nothing outside the dataset root is read; images are not
/// decoded unless <see cref="DatasetOptions.VerifyImages"/> is set. Problems a user would want to
/// skip (missing files with <see cref="DatasetOptions.SkipBad"/>, duplicates, non-image files)
/// go to <c>warn</c> with their count; everything else throws
/// <see cref="InvalidInputException"/>.
/// </summary>
public static class DatasetReader
{
    public static Dataset Read(string path, string? format = null, DatasetOptions? options = null, Action<string>? warn = null)
    {
        options ??= new DatasetOptions();
        if (options.Template is { } t && !t.Contains("{}"))
            throw new InvalidInputException($"template '{t}': must contain {{}} where the class name goes");
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        format = (format ?? DatasetFormats.Detect(full)).ToLowerInvariant();
        bool isFile = File.Exists(full);
        if (!isFile && !Directory.Exists(full))
            throw new InvalidInputException($"{full}: no such file or folder");
        return format switch
        {
            DatasetFormats.Coop => CoopSplitReader.Read(isFile ? full : SplitFileIn(full), options, warn),
            DatasetFormats.FgvcAircraft => FgvcAircraftReader.Read(FolderOf(full, isFile), options, warn),
            DatasetFormats.ImageNet => ImageNetReader.Read(FolderOf(full, isFile), options, warn),
            DatasetFormats.Food101N => Food101NReader.Read(FolderOf(full, isFile), options, warn),
            DatasetFormats.Folder => ImageFolderReader.Read(FolderOf(full, isFile), options, warn),
            DatasetFormats.Manifest => isFile
                ? ManifestReader.Read(full, options, warn)
                : throw new InvalidInputException($"{full}: the manifest format needs a .csv or .jsonl file"),
            _ => throw new InvalidInputException($"format '{format}': expected one of {string.Join(", ", DatasetFormats.All)}"),
        };
    }

    static string FolderOf(string path, bool isFile) =>
        isFile ? throw new InvalidInputException($"{path}: this format needs the dataset folder, not a file") : path;

    static string SplitFileIn(string dir)
    {
        var files = Directory.GetFiles(dir, "split_zhou_*.json");
        Array.Sort(files, StringComparer.Ordinal);
        return files.Length switch
        {
            1 => files[0],
            0 => throw new InvalidInputException($"{dir}: no split_zhou_<Name>.json (CoOp's split file) in it"),
            _ => throw new InvalidInputException(
                $"{dir}: several split files ({string.Join(", ", files.Select(Path.GetFileName))}); pass the one to use"),
        };
    }

    /// <summary>The common last step of every reader: apply the collector's rules and CoOp's
    /// class-name clean-up.</summary>
    internal static Dataset Build(string name, string format, RootGuard guard, IReadOnlyList<string> rawNames,
        CoopDataset? coop, string template, SplitCollector collector, DatasetOptions options, Action<string>? warn)
    {
        var (train, val, test) = collector.Finish(rawNames);
        var names = rawNames.Select(n => CoopDatasets.CleanClassName(n, coop)).ToList();
        var clashes = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'").ToList();
        if (clashes.Count > 0)
            warn?.Invoke($"{guard.Root}: {clashes.Count} class name(s) shared by several classes after CoOp's clean-up " +
                         $"({string.Join(", ", clashes.Take(3))}); their prompts will be identical");
        return new Dataset(name, guard.Root, names, options.Template ?? template, train, val, test) { Format = format };
    }
}
