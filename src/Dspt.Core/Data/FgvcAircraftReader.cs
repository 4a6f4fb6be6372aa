namespace Dspt.Data;

/// <summary>
/// FGVC-Aircraft as CoOp reads it (datasets/fgvc_aircraft.py): variants.txt lists the 100 class
/// names (line index = label); images_variant_{train,val,test}.txt hold "&lt;image id&gt; &lt;variant&gt;"
/// lines, the image being images/&lt;id&gt;.jpg. There is no split_zhou file.
/// </summary>
internal static class FgvcAircraftReader
{
    public static bool Matches(string dir) =>
        File.Exists(Path.Combine(dir, "variants.txt")) && File.Exists(Path.Combine(dir, "images_variant_train.txt"));

    public static Dataset Read(string dir, DatasetOptions options, Action<string>? warn)
    {
        var info = CoopDatasets.Find("FGVCAircraft")!;
        var variants = TextLines.ReadNameList(Path.Combine(dir, "variants.txt"), "FGVC-Aircraft class names");
        var label = variants.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        var guard = new RootGuard(dir);
        string imageDir = Path.Combine(guard.Root, info.ImageDir);
        var collector = new SplitCollector(guard, "fgvc_aircraft", options, warn);
        foreach (var (split, file) in new[] { (Split.Train, "images_variant_train.txt"), (Split.Val, "images_variant_val.txt"), (Split.Test, "images_variant_test.txt") })
        {
            string path = Path.Combine(guard.Root, file);
            var lines = TextLines.Read(path, "FGVC-Aircraft split");
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.Length == 0) continue;
                int space = line.IndexOf(' ');
                if (space <= 0)
                    throw new InvalidInputException($"{path}: line {i + 1}: expected \"<image id> <variant>\", got '{line}'");
                string variant = line[(space + 1)..];
                if (!label.TryGetValue(variant, out int y))
                    throw new InvalidInputException($"{path}: line {i + 1}: variant '{variant}' is not in variants.txt");
                collector.Add(split, imageDir, line[..space] + ".jpg", y, $"{file} line {i + 1}");
            }
        }
        return DatasetReader.Build(info.Name, DatasetFormats.FgvcAircraft, guard, variants, info, info.Template, collector, options, warn);
    }
}
