using System.Security.Cryptography;

namespace Dspt.Data;

/// <summary>
/// A reviewer's corrections to a dataset's training labels, the CSV that suspects.html exports:
/// header <c>path,action,new_label</c>, one row per reviewed item; action <c>relabel</c> (to the
/// class named in new_label), <c>keep</c> or <c>remove</c>. Paths are the dataset's training item
/// paths (relative to its root, as suspects.csv lists them). Applied to the training split before
/// few-shot sampling and noise, so a corrected dataset is drawn from as if it had been labelled
/// that way. Every row is checked: an unknown path or class, a repeated path, a missing field or
/// an unknown action stops with an error naming the file and line.
/// </summary>
public sealed record Corrections(string File, string Sha256, IReadOnlyDictionary<string, Correction> ByPath)
{
    public const string Relabel = "relabel", Keep = "keep", Remove = "remove";
    public const string Header = "path,action,new_label";
    public const long MaxBytes = 256L << 20;

    public int Relabelled => ByPath.Values.Count(c => c.Action == Relabel);
    public int Removed => ByPath.Values.Count(c => c.Action == Remove);
    public int Kept => ByPath.Values.Count(c => c.Action == Keep);

    /// <summary>Reads and checks the file against the dataset's classes and training items.</summary>
    public static Corrections Read(string file, Dataset dataset)
    {
        file = Path.GetFullPath(file);
        if (!System.IO.File.Exists(file)) throw new InvalidInputException($"{file}: corrections file not found");
        long size = new FileInfo(file).Length;
        if (size > MaxBytes) throw new InvalidInputException($"{file}: {size} bytes; a corrections file is at most {MaxBytes} bytes");
        var bytes = System.IO.File.ReadAllBytes(file);
        var lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count == 0 || lines[0].Trim().TrimStart('\uFEFF') != Header)
            throw new InvalidInputException($"{file}: line 1: expected the header '{Header}'");
        var trainPaths = dataset.Train.Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
        var classIndex = dataset.ClassNames.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
        var byPath = new Dictionary<string, Correction>(StringComparer.Ordinal);
        var fields = new List<string>();
        for (int n = 1; n < lines.Count; n++)
        {
            string line = lines[n];
            if (line.Trim().Length == 0) continue;
            string where = $"{file}: line {n + 1}";
            Csv.Split(line, fields, file, n + 1);
            if (fields.Count != 3) throw new InvalidInputException($"{where}: expected 3 fields path,action,new_label, got {fields.Count}");
            string path = fields[0], action = fields[1].Trim(), newLabel = fields[2];
            if (!trainPaths.Contains(path))
                throw new InvalidInputException($"{where}: path '{path}' is not a training item of dataset '{dataset.Name}' (paths are relative to {dataset.Root}, as suspects.csv lists them)");
            if (byPath.ContainsKey(path)) throw new InvalidInputException($"{where}: path '{path}' appears twice");
            Correction correction = action switch
            {
                Relabel => classIndex.TryGetValue(newLabel, out int label)
                    ? new Correction(Relabel, label)
                    : throw new InvalidInputException($"{where}: new_label '{newLabel}' is not a class of dataset '{dataset.Name}' (expected one of its {dataset.NumClasses} class names, e.g. '{dataset.ClassNames[0]}')"),
                Keep or Remove when newLabel.Length == 0 => new Correction(action, null),
                Keep or Remove => throw new InvalidInputException($"{where}: action '{action}' takes an empty new_label, got '{newLabel}'"),
                _ => throw new InvalidInputException($"{where}: action '{action}': expected {Relabel}, {Keep} or {Remove}"),
            };
            byPath[path] = correction;
        }
        return new Corrections(file, Convert.ToHexStringLower(SHA256.HashData(bytes)), byPath);
    }

    /// <summary>The dataset with relabelled training items and without removed ones (val and test untouched).</summary>
    public Dataset ApplyTo(Dataset dataset)
    {
        var train = new List<DataItem>(dataset.Train.Count);
        foreach (var item in dataset.Train)
        {
            if (!ByPath.TryGetValue(item.Path, out var c)) train.Add(item);
            else if (c.Action == Relabel) train.Add(item with { Label = c.Label!.Value });
            else if (c.Action == Keep) train.Add(item);
        }
        return dataset with { Train = train };
    }

    /// <summary>What the split file and the manifest record of the corrections applied.</summary>
    public CorrectionsRecord Record() => new(File, Sha256, Relabelled, Removed, Kept);

    public string Describe() => $"{Path.GetFileName(File)}: {Relabelled} relabelled, {Removed} removed, {Kept} kept";
}

/// <summary>One reviewed item: the action and, for relabel, the new class index.</summary>
public sealed record Correction(string Action, int? Label);

/// <summary>The corrections a split was drawn after: the file, its sha256 and what it changed.</summary>
public sealed record CorrectionsRecord(string File, string Sha256, int Relabelled, int Removed, int Kept);
