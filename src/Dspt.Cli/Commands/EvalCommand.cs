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
/// template (or, with --zero-shot, zero-shot CLIP alone); prints the table and, with --out,
/// writes evaluation.{json,md}, confusion matrices and predictions.csv.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var prompt = CommonOptions.SavedPrompt();
        prompt.Required = false;
        var zeroShot = new Option<bool>("--zero-shot") { Description = "no prompt: zero-shot CLIP with the dataset's template (or --template) alone; needs --model" };
        var models = new ModelOptionSet(required: false,
            "CLIP checkpoint the prompt was trained on (default: the one recorded in prompt.json; its tensors must be the same, in any file format); with --zero-shot, the model to score", withDType: false);
        var dataset = CommonOptions.Dataset("dataset folder or file; its class names must be the prompt's", required: true);
        var reading = new DatasetOptionSet();
        var template = new Option<string?>("--template") { Description = "zero-shot template of the reference row, default the dataset's" };
        var part = CommonOptions.Part("the dataset split to evaluate on: test, val or train");
        var output = CommonOptions.Out("folder for evaluation.json, evaluation.md, confusion-*.csv and predictions.csv", required: false);
        var cache = new CacheOptionSet();
        var subsample = CommonOptions.Subsample("all, base or new (CoOp's SUBSAMPLE_CLASSES: the first half of the sorted training labels is base), "
            + "or base-to-new: both halves, and their harmonic mean");
        var command = new Command("eval", "Evaluate a saved prompt (any learner), or zero-shot CLIP alone (--zero-shot), on a dataset split (top-1, per-class accuracy, confusion matrix, per-image predictions)");
        CommonOptions.AddAll(command, [prompt, zeroShot], models.All, [dataset], reading.All, [template, part, subsample, output], cache.All);
        command.SetAction(parse =>
        {
            models.ApplyThreads(parse);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var dev = models.DeviceOf(parse);
            string splitName = Choice.Of(parse, part, "test", "val", "train");
            string? promptPath = parse.GetValue(prompt);
            bool zeroShotOnly = parse.GetValue(zeroShot);
            if (zeroShotOnly == (promptPath is not null))
                throw new InvalidInputException("eval: give --prompt RUN_OR_PROMPT to evaluate a saved prompt, or --zero-shot --model M for zero-shot CLIP alone (not both)");
            if (zeroShotOnly && parse.GetValue(models.Model) is null)
                throw new InvalidInputException("eval --zero-shot: give the CLIP checkpoint with --model (or --model builtin)");
            string classesName = parse.GetValue(subsample)!.ToLowerInvariant();
            bool baseToNew = classesName == "base-to-new";
            string datasetAddress = parse.GetValue(dataset)!;
            var all = reading.ReadDataset(parse, datasetAddress, parse.GetValue(template), w => stderr.WriteLine($"warning: {w}"));
            var selections = baseToNew ? [ClassSelection.Base, ClassSelection.New] : new[] { ClassSubset.Parse(classesName) };
            string note = PromptEvaluation.Note(all.Template);
            string name = promptPath is null ? PromptEvaluation.ZeroShotName : $"prompt ({Path.GetFileName(Path.GetFullPath(promptPath).TrimEnd('/'))})";
            var features = new ImageFeatureCache(cache.Directory(parse))
            {
                Warning = w => stderr.WriteLine($"warning: {w}"),
            };
            using var zeroShotModel = zeroShotOnly ? ClipLoading.Load(parse.GetValue(models.Model)!, ScalarType.Float32, dev) : null;
            var zeroShotTokenizer = zeroShotOnly ? ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(models.Vocab), parse.GetValue(models.Model))) : null;
            var halves = new List<SplitScores>();
            foreach (var selection in selections)
            {
                var data = ClassSubset.Select(all, selection);
                var items = SplitEvaluation.Items(data, splitName, datasetAddress, ClassSubset.Name(selection));
                // A prompt is evaluated on the classes it was trained on, or applied to others only when a subset is asked for.
                using var saved = promptPath is null ? null : SavedPrompt.Open(promptPath, parse.GetValue(models.Model), parse.GetValue(models.Vocab), dev,
                    selection == ClassSelection.All ? null : data.ClassNames);
                if (saved is not null && selection == ClassSelection.All) CheckClassNames(data.ClassNames, saved.Info.ClassNames, datasetAddress);
                if (saved is not null && saved.Info.Learner != "coop") name = $"prompt ({saved.Info.Learner}, {Path.GetFileName(Path.GetFullPath(promptPath!).TrimEnd('/'))})";
                var clip = saved?.Model ?? zeroShotModel!.Model;
                stderr.WriteLine($"encoding {items.Count} {splitName} images ({ClassSubset.Name(selection)} classes: {data.NumClasses})");
                var result = SplitEvaluation.Run(clip, saved?.ModelSha256 ?? zeroShotModel!.Info.Sha256, saved?.Tokenizer ?? zeroShotTokenizer!,
                    saved?.Learner, name, datasetAddress, data, items, features, dev, stderr.WriteLine);
                halves.Add(result);
                string title = selection == ClassSelection.All ? splitName : $"{splitName} ({ClassSubset.Name(selection)} classes)";
                stdout.Write(EvaluationReport.ToMarkdown(title, result.Rows, note));
                if (parse.GetValue(output) is { } dir && !baseToNew)
                {
                    EvaluationReport.Write(dir, splitName, result.Rows, note);
                    Predictions.Write(dir, splitName, result.Predictions, data.ClassNames);
                }
            }
            if (baseToNew)
            {
                var rows = new List<BaseToNewResult> { new(PromptEvaluation.ZeroShotName, halves[0].Rows[0].Accuracy, halves[1].Rows[0].Accuracy) };
                if (!zeroShotOnly) rows.Add(new BaseToNewResult(name, halves[0].Rows[^1].Accuracy, halves[1].Rows[^1].Accuracy));
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
