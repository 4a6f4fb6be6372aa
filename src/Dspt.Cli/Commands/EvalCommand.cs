using System.CommandLine;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Evaluation;
using Dspt.Features;
using Dspt.Prompting;
using Dspt.Reporting;
using Dspt.Runs;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

/// <summary>
/// dspt eval: a saved prompt on a dataset split, beside zero-shot CLIP with the dataset's
/// template; prints the table and, with --out, writes evaluation.{json,md} and confusion
/// matrices.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var prompt = CommonOptions.SavedPrompt();
        var models = new ModelOptionSet(required: false,
            "CLIP checkpoint the prompt was trained on (default: the one recorded in prompt.json; its sha256 must match)", withDType: false);
        var dataset = CommonOptions.Dataset("dataset folder or file; its class names must be the prompt's", required: true);
        var reading = new DatasetOptionSet();
        var template = new Option<string?>("--template") { Description = "zero-shot template of the reference row, default the dataset's" };
        var part = CommonOptions.Part("the dataset split to evaluate on: test, val or train");
        var output = CommonOptions.Out("folder for evaluation.json, evaluation.md and confusion-*.csv", required: false);
        var cache = new CacheOptionSet();
        var subsample = CommonOptions.Subsample("all, base or new (CoOp's SUBSAMPLE_CLASSES: the first half of the sorted training labels is base), "
            + "or base-to-new: both halves, and their harmonic mean");
        var command = new Command("eval", "Evaluate a saved prompt (any learner) on a dataset split (top-1, per-class accuracy, confusion matrix) beside zero-shot CLIP");
        CommonOptions.AddAll(command, [prompt], models.All, [dataset], reading.All, [template, part, subsample, output], cache.All);
        command.SetAction(parse =>
        {
            models.ApplyThreads(parse);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var dev = models.DeviceOf(parse);
            string splitName = Choice.Of(parse, part, "test", "val", "train");
            string promptPath = parse.GetValue(prompt)!;
            string classesName = parse.GetValue(subsample)!.ToLowerInvariant();
            bool baseToNew = classesName == "base-to-new";
            var all = reading.ReadDataset(parse, parse.GetValue(dataset)!, parse.GetValue(template), w => stderr.WriteLine($"warning: {w}"));
            var selections = baseToNew ? [ClassSelection.Base, ClassSelection.New] : new[] { ClassSubset.Parse(classesName) };
            string note = PromptEvaluation.Note(all.Template);
            string name = $"prompt ({Path.GetFileName(Path.GetFullPath(promptPath).TrimEnd('/'))})";
            var halves = new List<(EvaluationResult ZeroShot, EvaluationResult Learned)>();
            foreach (var selection in selections)
            {
                var data = ClassSubset.Select(all, selection);
                var items = splitName switch { "test" => data.Test, "val" => data.Val, _ => data.Train };
                if (items.Count == 0) throw new InvalidInputException($"{parse.GetValue(dataset)}: the {splitName} split of the {ClassSubset.Name(selection)} classes is empty");
                // A prompt is evaluated on the classes it was trained on, or applied to others only when a subset is asked for.
                using var saved = SavedPrompt.Open(promptPath, parse.GetValue(models.Model), parse.GetValue(models.Vocab), dev,
                    selection == ClassSelection.All ? null : data.ClassNames);
                if (selection == ClassSelection.All) CheckClassNames(data.ClassNames, saved.Info.ClassNames, parse.GetValue(dataset)!);
                if (saved.Info.Learner != "coop") name = $"prompt ({saved.Info.Learner}, {Path.GetFileName(Path.GetFullPath(promptPath).TrimEnd('/'))})";
                var features = new ImageFeatureCache(cache.Directory(parse))
                {
                    Warning = w => stderr.WriteLine($"warning: {w}"),
                };
                var extractor = new ImageFeatureExtractor(saved.Model, saved.ModelSha256, features, dev) { Root = new DatasetRoot(data.Root) };
                stderr.WriteLine($"encoding {items.Count} {splitName} images ({ClassSubset.Name(selection)} classes: {data.NumClasses})");
                using var encoded = extractor.Encode([.. items.Select(i => Path.Combine(data.Root, i.Path))], view: 0, augmentationSeed: 0);
                var result = PromptEvaluation.Run(saved.Model, saved.Tokenizer, saved.Learner, data.ClassNames, name,
                    data.Template, encoded, [.. items.Select(i => (long)i.Label)]);
                halves.Add(result);
                string title = selection == ClassSelection.All ? splitName : $"{splitName} ({ClassSubset.Name(selection)} classes)";
                stdout.Write(EvaluationReport.ToMarkdown(title, [result.ZeroShot, result.Learned], note));
                if (parse.GetValue(output) is { } dir && !baseToNew) EvaluationReport.Write(dir, splitName, [result.ZeroShot, result.Learned], note);
            }
            if (baseToNew)
            {
                var rows = new[]
                {
                    new BaseToNewResult(PromptEvaluation.ZeroShotName, halves[0].ZeroShot.Accuracy, halves[1].ZeroShot.Accuracy),
                    new BaseToNewResult(name, halves[0].Learned.Accuracy, halves[1].Learned.Accuracy),
                };
                string table = BaseToNew.ToMarkdown(rows, note);
                stdout.WriteLine();
                stdout.Write(table);
                if (parse.GetValue(output) is { } dir)
                {
                    Directory.CreateDirectory(dir);
                    Dspt.IO.AtomicFile.WriteAllText(Path.Combine(dir, "base-to-new.md"), table);
                    Dspt.IO.AtomicFile.WriteAllText(Path.Combine(dir, "base-to-new.json"),
                        System.Text.Json.JsonSerializer.Serialize(rows.Select(r => new { name = r.Name, @base = r.Base, @new = r.New, hm = r.HarmonicMean }),
                            new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
                }
            }
            return 0;
        });
        return command;
    }

    static void CheckClassNames(IReadOnlyList<string> dataset, IReadOnlyList<string> prompt, string source)
    {
        if (dataset.SequenceEqual(prompt)) return;
        if (dataset.Count != prompt.Count)
            throw new InvalidInputException($"{source}: {dataset.Count} classes, the prompt was trained on {prompt.Count}");
        int i = Enumerable.Range(0, dataset.Count).First(i => dataset[i] != prompt[i]);
        throw new InvalidInputException($"{source}: class {i} is '{dataset[i]}', the prompt's class {i} is '{prompt[i]}' (the labels must mean the same classes)");
    }
}
