using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dspt.Data;
using Dspt.Reporting;

namespace Dspt.Cli.Commands;

/// <summary><c>dspt data inspect</c>: what Dspt reads from a dataset, the few-shot draw and the
/// injected noise, as text or one JSON object, plus a contact sheet when asked (--sheet).</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Read datasets the way the CoOp papers do");
        data.Subcommands.Add(Inspect());
        return data;
    }

    static Command Inspect()
    {
        var reading = new DatasetOptionSet();
        var dataset = new Argument<string>("dataset") { Description = "Dataset folder or file (split_zhou_*.json, .csv/.jsonl manifest)" };
        var shots = CommonOptions.Shots("K training shots per class, or 'all' (also 0)", "all");
        var noise = new Option<string>("--noise") { Description = "none, sym:R, asym:R (NLPrompt), symflip:M, pairflip:M (PTNL)", DefaultValueFactory = _ => "none" };
        var seed = new Option<int>("--seed") { Description = "Seed of the few-shot draw and the noise", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var sheet = new Option<string?>("--sheet") { Description = "Draw a contact sheet of the split into this PNG (none unless given)" };
        var perClass = new Option<int>("--sheet-images") { Description = "Thumbnails per class on the sheet", DefaultValueFactory = _ => 4 };
        var sheetClasses = new Option<int>("--sheet-classes") { Description = "Classes shown on the sheet (the first ones)", DefaultValueFactory = _ => 40 };
        var save = new Option<string?>("--save") { Description = "Write the drawn split (train with clean and given labels, val, test) to this JSON file" };
        var strict = new Option<bool>("--strict") { Description = "Fail when a class has fewer than K training images" };
        var template = new Option<string?>("--template") { Description = "Zero-shot template instead of the dataset's, with {} for the name" };
        var corrections = CommonOptions.Corrections();

        var command = new Command("inspect", "Class count, split sizes, per-class counts, the few-shot draw, the noise report, and a contact sheet with --sheet");
        command.Arguments.Add(dataset);
        CommonOptions.AddAll(command, reading.All, [shots, noise, seed, json, sheet, perClass, sheetClasses, save, strict, template, corrections]);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var warnings = new List<string>();
            void Warn(string message)
            {
                warnings.Add(message);
                error.WriteLine($"warning: {message}");
            }

            var options = reading.Read(parse, parse.GetValue(template));
            var spec = NoiseSpec.Parse(parse.GetValue(noise)!);
            int k = CommonOptions.ParseShots(parse.GetValue(shots)!);
            var d = DatasetReader.Read(parse.GetValue(dataset)!, parse.GetValue(reading.Format), options, Warn);
            CorrectionsRecord? applied = null;
            if (parse.GetValue(corrections) is { } correctionsFile)
            {
                var read = Corrections.Read(correctionsFile, d);
                d = read.ApplyTo(d);
                applied = read.Record();
            }
            var drawn = FewShot.Draw(d, k, spec, parse.GetValue(seed), Warn, parse.GetValue(strict)) with { Corrections = applied };

            string? savedTo = parse.GetValue(save);
            if (savedTo is not null) FewShotSplitFile.Save(savedTo, drawn);
            string? sheetPath = null;
            if (parse.GetValue(sheet) is { } sheetFile)
            {
                sheetPath = Path.GetFullPath(sheetFile);
                DatasetContactSheet.Write(sheetPath, drawn, parse.GetValue(perClass), parse.GetValue(sheetClasses), warn: Warn);
            }

            if (parse.GetValue(json)) WriteJson(output, d, drawn, sheetPath, savedTo, warnings);
            else WriteText(output, d, drawn, sheetPath, savedTo);
            return 0;
        });
        return command;
    }

    static int[] Counts(IEnumerable<int> labels, int numClasses)
    {
        var n = new int[numClasses];
        foreach (var y in labels) n[y]++;
        return n;
    }

    static void WriteText(TextWriter o, Dataset d, FewShotSplit s, string? sheet, string? saved)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"dataset   {d.Name} ({d.Format}) at {d.Root}");
        o.WriteLine($"classes   {d.NumClasses}");
        o.WriteLine($"template  {d.Template}");
        o.WriteLine($"splits    train {d.Train.Count}, val {d.Val.Count}, test {d.Test.Count}");
        o.WriteLine($"few-shot  {(s.Shots > 0 ? $"{s.Shots} shots" : "all images")}, seed {s.Seed}: train {s.Train.Count}, val {s.Val.Count}, test {s.Test.Count}");
        if (s.Corrections is { } fixes)
            o.WriteLine($"corrected {fixes.Relabelled} relabelled, {fixes.Removed} removed, {fixes.Kept} kept ({fixes.File})");
        o.WriteLine(string.Create(inv, $"noise     {s.Noise}: {s.Report.Corrupted} of {s.Report.Total} training labels wrong (realised rate {s.Report.Rate:F4})"));

        var train = Counts(d.Train.Select(i => i.Label), d.NumClasses);
        var val = Counts(d.Val.Select(i => i.Label), d.NumClasses);
        var test = Counts(d.Test.Select(i => i.Label), d.NumClasses);
        var given = Counts(s.Train.Select(i => i.Label), d.NumClasses);
        int nameWidth = Math.Clamp(d.ClassNames.Max(n => n.Length), 4, 40);
        o.WriteLine();
        o.WriteLine($"{"label",5}  {"name".PadRight(nameWidth)}  {"train",7} {"val",6} {"test",6}  {"shots",5} {"wrong",5}");
        for (int c = 0; c < d.NumClasses; c++)
        {
            string name = d.ClassNames[c].Length > nameWidth ? d.ClassNames[c][..(nameWidth - 3)] + "..." : d.ClassNames[c];
            o.WriteLine($"{c,5}  {name.PadRight(nameWidth)}  {train[c],7} {val[c],6} {test[c],6}  {given[c],5} {s.Report.CorruptedByNoisyClass[c],5}");
        }
        if (s.Report.Corrupted > 0 && d.NumClasses <= 20)
        {
            o.WriteLine();
            o.WriteLine("transition counts (row: clean label, column: given label)");
            for (int c = 0; c < d.NumClasses; c++)
                o.WriteLine($"{c,5}  " + string.Join(" ", s.Report.Transition[c].Select(v => $"{v,4}")));
        }
        o.WriteLine();
        if (sheet is not null) o.WriteLine($"contact sheet  {sheet}");
        if (saved is not null) o.WriteLine($"split saved    {Path.GetFullPath(saved)}");
    }

    static void WriteJson(TextWriter o, Dataset d, FewShotSplit s, string? sheet, string? saved, List<string> warnings)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            FewShotSplitFile.WriteDataset(w, d.Name, d.Root, d.Template, d.ClassNames);
            w.WriteString("format", d.Format);
            w.WriteNumber("num_classes", d.NumClasses);
            w.WriteStartObject("splits");
            w.WriteNumber("train", d.Train.Count);
            w.WriteNumber("val", d.Val.Count);
            w.WriteNumber("test", d.Test.Count);
            w.WriteEndObject();
            var train = Counts(d.Train.Select(i => i.Label), d.NumClasses);
            var val = Counts(d.Val.Select(i => i.Label), d.NumClasses);
            var test = Counts(d.Test.Select(i => i.Label), d.NumClasses);
            var given = Counts(s.Train.Select(i => i.Label), d.NumClasses);
            w.WriteStartArray("per_class");
            for (int c = 0; c < d.NumClasses; c++)
            {
                w.WriteStartObject();
                w.WriteNumber("label", c);
                w.WriteString("name", d.ClassNames[c]);
                w.WriteNumber("train", train[c]);
                w.WriteNumber("val", val[c]);
                w.WriteNumber("test", test[c]);
                w.WriteNumber("shots", given[c]);
                w.WriteNumber("corrupted", s.Report.CorruptedByNoisyClass[c]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("shots", s.Shots);
            w.WriteNumber("seed", s.Seed);
            w.WriteString("noise", s.Noise.ToString());
            w.WritePropertyName("noise_report");
            FewShotSplitFile.WriteReport(w, s.Report);
            FewShotSplitFile.WriteTrainItems(w, "train", s.Train);
            w.WriteNumber("val_shots", s.Val.Count);
            if (s.Corrections is { } fixes) FewShotSplitFile.WriteCorrections(w, fixes);
            else w.WriteNull("corrections");
            if (sheet is null) w.WriteNull("sheet"); else w.WriteString("sheet", sheet);
            if (saved is null) w.WriteNull("saved"); else w.WriteString("saved", Path.GetFullPath(saved));
            w.WriteStartArray("warnings");
            foreach (var m in warnings) w.WriteStringValue(m);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        o.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
