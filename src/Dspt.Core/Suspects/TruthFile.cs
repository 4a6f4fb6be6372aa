namespace Dspt.Suspects;

/// <summary>
/// --truth FILE: the true labels of (some of) the training items, a CSV <c>path,label</c> with a
/// class name per row, for measuring how well the scores find wrong labels on real data whose
/// errors someone has established. Every scored item must be listed; unknown classes, repeated
/// paths and paths that are not training items are errors naming the line.
/// </summary>
public static class TruthFile
{
    public const string Header = "path,label";
    public const long MaxBytes = 256L << 20;

    public static int[] Read(string file, IReadOnlyList<string> classNames, IReadOnlyList<string> paths)
    {
        file = Path.GetFullPath(file);
        if (!File.Exists(file)) throw new InvalidInputException($"{file}: truth file not found");
        long size = new FileInfo(file).Length;
        if (size > MaxBytes) throw new InvalidInputException($"{file}: {size} bytes; a truth file is at most {MaxBytes} bytes");
        var lines = File.ReadAllLines(file);
        if (lines.Length == 0 || lines[0].Trim().TrimStart('\uFEFF') != Header)
            throw new InvalidInputException($"{file}: line 1: expected the header '{Header}'");
        var classIndex = classNames.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
        var wanted = paths.Select((p, i) => (p, i)).ToDictionary(t => t.p, t => t.i, StringComparer.Ordinal);
        var truth = Enumerable.Repeat(-1, paths.Count).ToArray();
        for (int n = 1; n < lines.Length; n++)
        {
            if (lines[n].Trim().Length == 0) continue;
            string where = $"{file}: line {n + 1}";
            int comma = lines[n].LastIndexOf(',');
            if (comma < 0) throw new InvalidInputException($"{where}: expected path,label");
            string path = lines[n][..comma].Trim('"'), label = lines[n][(comma + 1)..].Trim();
            if (!wanted.TryGetValue(path, out int i)) throw new InvalidInputException($"{where}: path '{path}' is not one of the scored training items");
            if (truth[i] >= 0) throw new InvalidInputException($"{where}: path '{path}' appears twice");
            truth[i] = classIndex.TryGetValue(label, out int c) ? c
                : throw new InvalidInputException($"{where}: label '{label}' is not a class (expected a class name such as '{classNames[0]}')");
        }
        int missing = Array.IndexOf(truth, -1);
        if (missing >= 0) throw new InvalidInputException($"{file}: gives no label for '{paths[missing]}' (and {truth.Count(t => t < 0) - 1} more); list every scored item");
        return truth;
    }
}
