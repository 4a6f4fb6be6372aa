using System.Text.Json;
using Dspt.IO;

namespace Dspt.Data;

/// <summary>
/// Saves a <see cref="FewShotSplit"/> as JSON (written atomically) and reads it back into the
/// same split. The file alone is enough to repeat a run: the classes, template, every drawn item
/// with its given and clean label, val, test, the seed and the noise spec. Loading checks the
/// file as strictly as a dataset: relative paths inside the root, labels in range, and a noise
/// report that matches the items. Training items are <c>{"path", "given_label", "true_label"}</c>
/// (the label training sees and the clean one; the same keys as <c>dspt data inspect --json</c>),
/// val and test items <c>{"path", "label"}</c>. Files of format v1 (training items as
/// <c>"label"</c> = given and <c>"clean_label"</c>) still load.
/// </summary>
public static class FewShotSplitFile
{
    public const string FormatTag = "dspt-fewshot-v2";

    /// <summary>The first format: training items' given label under "label", the clean one under "clean_label".</summary>
    public const string FormatTagV1 = "dspt-fewshot-v1";

    /// <summary>Keys of a training item's labels: the label training sees and the clean (true) one.</summary>
    public const string GivenLabelKey = "given_label", TrueLabelKey = "true_label";

    public static void Save(string path, FewShotSplit split)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("format", FormatTag);
            WriteDataset(w, split.DatasetName, split.Root, split.Template, split.ClassNames);
            w.WriteNumber("shots", split.Shots);
            w.WriteNumber("seed", split.Seed);
            w.WriteString("noise", split.Noise.ToString());
            WriteTrainItems(w, "train", split.Train);
            WriteItems(w, "val", split.Val);
            WriteItems(w, "test", split.Test);
            w.WritePropertyName("report");
            WriteReport(w, split.Report);
            if (split.Corrections is { } c) WriteCorrections(w, c);
            w.WriteEndObject();
        });
    }

    /// <summary>What a split is of, as every split listing writes it: dataset, root, template, classnames.</summary>
    public static void WriteDataset(Utf8JsonWriter w, string name, string root, string template, IReadOnlyList<string> classNames)
    {
        w.WriteString("dataset", name);
        w.WriteString("root", root);
        w.WriteString("template", template);
        w.WriteStartArray("classnames");
        foreach (var n in classNames) w.WriteStringValue(n);
        w.WriteEndArray();
    }

    /// <summary>Training items as every split listing writes them: path, given_label, true_label.</summary>
    public static void WriteTrainItems(Utf8JsonWriter w, string key, IReadOnlyList<NoisyItem> items)
    {
        w.WriteStartArray(key);
        foreach (var i in items)
        {
            w.WriteStartObject();
            w.WriteString("path", i.Path);
            w.WriteNumber(GivenLabelKey, i.Label);
            w.WriteNumber(TrueLabelKey, i.CleanLabel);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteCorrections(Utf8JsonWriter w, CorrectionsRecord c)
    {
        w.WriteStartObject("corrections");
        w.WriteString("file", c.File);
        w.WriteString("sha256", c.Sha256);
        w.WriteNumber("relabelled", c.Relabelled);
        w.WriteNumber("removed", c.Removed);
        w.WriteNumber("kept", c.Kept);
        w.WriteEndObject();
    }

    public static void WriteReport(Utf8JsonWriter w, NoiseReport r)
    {
        w.WriteStartObject();
        w.WriteNumber("total", r.Total);
        w.WriteNumber("corrupted", r.Corrupted);
        w.WriteNumber("rate", r.Rate);
        WriteInts(w, "corrupted_by_clean_class", r.CorruptedByCleanClass);
        WriteInts(w, "corrupted_by_noisy_class", r.CorruptedByNoisyClass);
        // Sparse: a dense C x C matrix is a million numbers for ImageNet, nearly all zero.
        w.WriteNumber("num_classes", r.Transition.Count);
        w.WriteStartArray("transition");
        for (int clean = 0; clean < r.Transition.Count; clean++)
            for (int given = 0; given < r.Transition[clean].Count; given++)
                if (r.Transition[clean][given] != 0)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(clean);
                    w.WriteNumberValue(given);
                    w.WriteNumberValue(r.Transition[clean][given]);
                    w.WriteEndArray();
                }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <param name="root">the dataset root to use instead of the one stored (data moved)</param>
    public static FewShotSplit Load(string path, string? root = null)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: not found (few-shot split)");
        using (var doc = JsonFile.Parse(path))
        {
            var o = doc.RootElement;
            string Str(string key) =>
                o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()! : throw new InvalidInputException($"{path}: \"{key}\" is missing or not a string");
            int Int(string key) =>
                o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n)
                    ? n : throw new InvalidInputException($"{path}: \"{key}\" is missing or not an integer");
            string format = Str("format");
            if (format != FormatTag && format != FormatTagV1)
                throw new InvalidInputException($"{path}: \"format\" is '{format}', expected '{FormatTag}' (or the older '{FormatTagV1}')");
            bool v1 = format == FormatTagV1;
            if (!o.TryGetProperty("classnames", out var namesEl) || namesEl.ValueKind != JsonValueKind.Array || namesEl.GetArrayLength() == 0
                || namesEl.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw new InvalidInputException($"{path}: \"classnames\" must be a non-empty array of strings");
            var names = namesEl.EnumerateArray().Select(e => e.GetString()!).ToList();
            string template = Str("template");
            if (!template.Contains("{}")) throw new InvalidInputException($"{path}: \"template\" must contain {{}}");
            var noise = NoiseSpec.Parse(Str("noise"));

            var train = ReadItems(path, o, "train", names.Count, v1 ? ("label", "clean_label") : (GivenLabelKey, TrueLabelKey))
                .Select(t => new NoisyItem(t.Path, t.Label, t.Clean)).ToList();
            var val = ReadItems(path, o, "val", names.Count, null).Select(t => new DataItem(t.Path, t.Label)).ToList();
            var test = ReadItems(path, o, "test", names.Count, null).Select(t => new DataItem(t.Path, t.Label)).ToList();
            var report = NoiseReport.From(train, names.Count);
            if (o.TryGetProperty("report", out var stored) && !SameReport(stored, report))
                throw new InvalidInputException($"{path}: \"report\" does not match the train items (the file was edited?)");
            return new FewShotSplit(Str("dataset"), root is null ? Str("root") : Path.GetFullPath(root), names, template,
                Int("shots"), Int("seed"), noise, train, val, test, report) { Corrections = ReadCorrections(path, o) };
        }
    }

    static CorrectionsRecord? ReadCorrections(string file, JsonElement o)
    {
        if (!o.TryGetProperty("corrections", out var c)) return null;
        string where = $"{file}: \"corrections\"";
        if (c.ValueKind != JsonValueKind.Object) throw new InvalidInputException($"{where} must be an object");
        string Str(string key) => c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()! : throw new InvalidInputException($"{where}: \"{key}\" is missing or not a string");
        int Count(string key) => c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) && n >= 0
            ? n : throw new InvalidInputException($"{where}: \"{key}\" is missing or not a count");
        return new CorrectionsRecord(Str("file"), Str("sha256"), Count("relabelled"), Count("removed"), Count("kept"));
    }

    static void WriteItems(Utf8JsonWriter w, string key, IReadOnlyList<DataItem> items)
    {
        w.WriteStartArray(key);
        foreach (var i in items)
        {
            w.WriteStartObject();
            w.WriteString("path", i.Path);
            w.WriteNumber("label", i.Label);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static void WriteInts(Utf8JsonWriter w, string key, IReadOnlyList<int> values)
    {
        w.WriteStartArray(key);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <param name="trainKeys">the given and the clean label's keys of training items; null: one "label"</param>
    static List<(string Path, int Label, int Clean)> ReadItems(string file, JsonElement o, string key, int numClasses, (string Given, string True)? trainKeys)
    {
        if (!o.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new InvalidInputException($"{file}: \"{key}\" is missing or not an array");
        var items = new List<(string, int, int)>(array.GetArrayLength());
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            string where = $"{file}: {key}[{i++}]";
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("path", out var p) || p.ValueKind != JsonValueKind.String)
                throw new InvalidInputException(trainKeys is { } k
                    ? $"{where}: expected {{\"path\": ..., \"{k.Given}\": ..., \"{k.True}\": ...}}"
                    : $"{where}: expected {{\"path\": ..., \"label\": ...}}");
            string path = p.GetString()!;
            if (path.Length == 0 || Path.IsPathRooted(path) || path.Split('/').Contains(".."))
                throw new InvalidInputException($"{where}: path '{path}' must be relative to the dataset root and stay inside it");
            int label = Label(e, trainKeys?.Given ?? "label", where, numClasses);
            int clean = trainKeys is { } keys ? Label(e, keys.True, where, numClasses) : label;
            items.Add((path, label, clean));
        }
        return items;
    }

    static int Label(JsonElement e, string key, string where, int numClasses) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) && n >= 0 && n < numClasses
            ? n
            : throw new InvalidInputException($"{where}: \"{key}\" must be an integer in 0..{numClasses - 1}");

    static bool SameReport(JsonElement stored, NoiseReport actual)
    {
        try
        {
            var byClean = stored.GetProperty("corrupted_by_clean_class").EnumerateArray().Select(v => v.GetInt32()).ToList();
            var byNoisy = stored.GetProperty("corrupted_by_noisy_class").EnumerateArray().Select(v => v.GetInt32()).ToList();
            int numClasses = stored.GetProperty("num_classes").GetInt32();
            // The table below is numClasses^2; another count cannot match anyway.
            if (numClasses != actual.Transition.Count) return false;
            var transition = new int[numClasses][];
            for (int c = 0; c < numClasses; c++) transition[c] = new int[numClasses];
            foreach (var t in stored.GetProperty("transition").EnumerateArray())
                transition[t[0].GetInt32()][t[1].GetInt32()] = t[2].GetInt32();
            return actual.SameAs(new NoiseReport(stored.GetProperty("total").GetInt32(), stored.GetProperty("corrupted").GetInt32(),
                byClean, byNoisy, transition));
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }
}
