using Dspt.IO;
using System.Text.Json;

namespace Dspt.Data;

/// <summary>
/// A manifest listing the images: CSV (path,label[,split], with or without that header row;
/// RFC 4180 quoting) or JSON Lines ({"path": ..., "label": ..., "split": ...} a line). Paths are
/// relative to the manifest's folder, which is the dataset root. A label is a class index into the
/// class-name list (<see cref="DatasetOptions.ClassNamesPath"/>, default classnames.txt beside the
/// manifest) or a class name; with names only and no list, the classes are the sorted distinct
/// names. The split is train, val or test; rows without one are split by ratio.
/// </summary>
internal static class ManifestReader
{
    public static bool IsManifest(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);

    readonly record struct Row(string Path, string Label, string Split, int Line);

    public static Dataset Read(string manifest, DatasetOptions options, Action<string>? warn)
    {
        manifest = Path.GetFullPath(manifest);
        string file = Path.GetFileName(manifest);
        var rows = manifest.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? ParseJsonl(manifest) : ParseCsv(manifest);
        if (rows.Count == 0) throw new InvalidInputException($"{manifest}: no entries");

        string classFile = options.ClassNamesPath is not null
            ? Path.GetFullPath(options.ClassNamesPath)
            : Path.Combine(Path.GetDirectoryName(manifest)!, "classnames.txt");
        List<string> names;
        if (File.Exists(classFile))
            names = TextLines.ReadNameList(classFile, "class names of " + file);
        else if (options.ClassNamesPath is not null)
            throw new InvalidInputException($"{classFile}: not found (class-name list)");
        else if (rows.Any(r => IsIndex(r.Label)))
            throw new InvalidInputException(
                $"{manifest}: labels are class indices, so a class-name list is needed: put classnames.txt beside the manifest or pass --classes-file");
        else
            names = rows.Select(r => r.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byName = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);

        var guard = new RootGuard(Path.GetDirectoryName(manifest)!);
        var collector = new SplitCollector(guard, file, options, warn);
        bool pooled = false;
        foreach (var row in rows)
        {
            string where = $"line {row.Line}";
            int label;
            if (IsIndex(row.Label))
            {
                if (!int.TryParse(row.Label, out label) || label < 0 || label >= names.Count)
                    throw new InvalidInputException(
                        $"{manifest}: {where}: label {row.Label} is out of range: there are {names.Count} classes (0..{names.Count - 1})");
            }
            else if (!byName.TryGetValue(row.Label, out label))
                throw new InvalidInputException($"{manifest}: {where}: label '{row.Label}' is not a class name in {Path.GetFileName(classFile)}");
            var split = row.Split.ToLowerInvariant() switch
            {
                "" => Split.Pool,
                "train" => Split.Train,
                "val" => Split.Val,
                "test" => Split.Test,
                _ => throw new InvalidInputException($"{manifest}: {where}: split '{row.Split}' is not train, val or test"),
            };
            pooled |= split == Split.Pool;
            collector.Add(split, guard.Root, row.Path, label, where);
        }
        if (pooled) RatioSplit.Validate(options.SplitRatios);
        return DatasetReader.Build(Path.GetFileNameWithoutExtension(file), DatasetFormats.Manifest, guard, names, null,
            CoopDatasets.DefaultTemplate, collector, options, warn);
    }

    /// <summary>An integer (a class name made of digits only is read as an index).</summary>
    static bool IsIndex(string label)
    {
        var digits = label.StartsWith('-') ? label.AsSpan(1) : label.AsSpan();
        if (digits.IsEmpty) return false;
        foreach (char c in digits)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    static List<Row> ParseCsv(string manifest)
    {
        var rows = new List<Row>();
        int pathCol = 0, labelCol = 1, splitCol = 2, line = 0;
        var fields = new List<string>(4);
        foreach (var text in ReadLines(manifest))
        {
            line++;
            if (text.Length == 0) continue;
            Csv.Split(text, fields, manifest, line);
            if (line == 1 && fields.Any(f => f.Trim().Equals("path", StringComparison.OrdinalIgnoreCase)))
            {
                var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
                pathCol = header.IndexOf("path");
                labelCol = header.IndexOf("label");
                splitCol = header.IndexOf("split");
                if (labelCol < 0)
                    throw new InvalidInputException($"{manifest}: line 1: the header has no \"label\" column (expected path,label[,split])");
                continue;
            }
            if (fields.Count <= Math.Max(pathCol, labelCol))
                throw new InvalidInputException($"{manifest}: line {line}: expected path,label[,split], got '{text}'");
            rows.Add(new Row(fields[pathCol], fields[labelCol].Trim(), splitCol >= 0 && splitCol < fields.Count ? fields[splitCol].Trim() : "", line));
        }
        return rows;
    }

    static List<Row> ParseJsonl(string manifest)
    {
        var rows = new List<Row>();
        int line = 0;
        foreach (var text in ReadLines(manifest))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                JsonFile.CheckStrings(doc.RootElement, $"{manifest}: line {line}");
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object
                    || !o.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String
                    || !o.TryGetProperty("label", out var label) || label.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
                    throw new InvalidInputException($"{manifest}: line {line}: expected {{\"path\": string, \"label\": int or class name[, \"split\": string]}}");
                string split = o.TryGetProperty("split", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
                rows.Add(new Row(path.GetString()!, label.ValueKind == JsonValueKind.Number ? label.GetRawText() : label.GetString()!.Trim(), split.Trim(), line));
            }
            catch (JsonException e)
            {
                throw new InvalidInputException($"{manifest}: line {line}: not valid JSON: {e.Message}", e);
            }
        }
        return rows;
    }

    static IEnumerable<string> ReadLines(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: not found (manifest)");
        InputFile.RequireRegular(path);
        return TextLines.Read(path, "manifest");
    }
}
