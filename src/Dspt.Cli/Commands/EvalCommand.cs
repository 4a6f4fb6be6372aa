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
/// template (or, with --zero-shot, zero-shot CLIP alone); prints the table and, with --output,
/// writes evaluation.{json,md}, confusion matrices and predictions.csv.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var prompt = CommonOptions.SavedPrompt();
        prompt.Required = false;
        var zeroShot = new Option<bool>("--zero-shot") { Description = "no prompt: zero-shot CLIP with the dataset's template (or --template) alone; needs --model" };
        var model = CommonOptions.Model(required: false);
        model.Description = "CLIP checkpoint the prompt was trained on (default: the one recorded in prompt.json; its tensors must be the same, in any file format); with --zero-shot, the model to score";
        var vocab = CommonOptions.Vocab();
        var dataset = new Option<string>("--dataset", "-d") { Description = "dataset folder or file; its class names must be the prompt's", Required = true };
        var format = new Option<string?>("--format") { Description = $"dataset layout, default detected: {string.Join(", ", DatasetFormats.All)}" };
        var template = new Option<string?>("--template") { Description = "zero-shot template of the reference row, default the dataset's" };
        var split = new Option<string>("--split") { Description = "test, val or train", DefaultValueFactory = _ => "test" };
        var output = new Option<string?>("--output", "-o") { Description = "folder for evaluation.json, evaluation.md, confusion-*.csv and predictions.csv" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = $"image feature cache, default {ImageFeatureCache.DefaultDirectory()}" };
        var noCache = new Option<bool>("--no-cache") { Description = "keep image features in memory only" };
        var classes = new Option<string>("--classes")
        {
            Description = "all, base or new (CoOp's subsample_classes: the first half of the sorted training labels is base), " +
                          "or base-to-new: both halves, and their harmonic mean",
            DefaultValueFactory = _ => "all",
        };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("eval", "Evaluate a saved prompt (any learner), or zero-shot CLIP alone (--zero-shot), on a dataset split (top-1, per-class accuracy, confusion matrix, per-image predictions)")
        {
            prompt, model, vocab, dataset, format, template, split, classes, output, cacheDir, noCache, device, threads,
        };
        command.Options.Add(zeroShot);
        command.SetAction(parse =>
        {
            CommonOptions.ApplyThreads(parse, threads);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var dev = DeviceSelection.Parse(parse.GetValue(device)!);
            string splitName = parse.GetValue(split)!.ToLowerInvariant();
            if (!SplitEvaluation.Splits.Contains(splitName)) throw new InvalidInputException($"--split {splitName}: expected test, val or train");
            string? promptPath = parse.GetValue(prompt);
            bool zeroShotOnly = parse.GetValue(zeroShot);
            if (zeroShotOnly == (promptPath is not null))
                throw new InvalidInputException("eval: give --prompt RUN_OR_PROMPT to evaluate a saved prompt, or --zero-shot --model M for zero-shot CLIP alone (not both)");
            if (zeroShotOnly && parse.GetValue(model) is null)
                throw new InvalidInputException("eval --zero-shot: give the CLIP checkpoint with --model (or --model builtin)");
            string classesName = parse.GetValue(classes)!.ToLowerInvariant();
            bool baseToNew = classesName == "base-to-new";
            string datasetAddress = parse.GetValue(dataset)!;
            var all = DatasetReader.Read(datasetAddress, parse.GetValue(format), new DatasetOptions { Template = parse.GetValue(template) },
                w => stderr.WriteLine($"warning: {w}"));
            var selections = baseToNew ? [ClassSelection.Base, ClassSelection.New] : new[] { ClassSubset.Parse(classesName) };
            string note = PromptEvaluation.Note(all.Template);
            string name = promptPath is null ? PromptEvaluation.ZeroShotName : $"prompt ({Path.GetFileName(Path.GetFullPath(promptPath).TrimEnd('/'))})";
            var cache = new ImageFeatureCache(parse.GetValue(noCache) ? null : parse.GetValue(cacheDir) ?? ImageFeatureCache.DefaultDirectory())
            {
                Warning = w => stderr.WriteLine($"warning: {w}"),
            };
            using var zeroShotModel = zeroShotOnly ? ClipLoading.Load(parse.GetValue(model)!, ScalarType.Float32, dev) : null;
            var zeroShotTokenizer = zeroShotOnly ? ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(vocab), parse.GetValue(model))) : null;
            var halves = new List<SplitScores>();
            foreach (var selection in selections)
            {
                var data = ClassSubset.Select(all, selection);
                var items = SplitEvaluation.Items(data, splitName, datasetAddress, ClassSubset.Name(selection));
                // A prompt is evaluated on the classes it was trained on, or applied to others only when a subset is asked for.
                using var saved = promptPath is null ? null : SavedPrompt.Open(promptPath, parse.GetValue(model), parse.GetValue(vocab), dev,
                    selection == ClassSelection.All ? null : data.ClassNames);
                if (saved is not null && selection == ClassSelection.All) CheckClassNames(data.ClassNames, saved.Info.ClassNames, datasetAddress);
                if (saved is not null && saved.Info.Learner != "coop") name = $"prompt ({saved.Info.Learner}, {Path.GetFileName(Path.GetFullPath(promptPath!).TrimEnd('/'))})";
                var clip = saved?.Model ?? zeroShotModel!.Model;
                stderr.WriteLine($"encoding {items.Count} {splitName} images ({ClassSubset.Name(selection)} classes: {data.NumClasses})");
                var result = SplitEvaluation.Run(clip, saved?.ModelSha256 ?? zeroShotModel!.Info.Sha256, saved?.Tokenizer ?? zeroShotTokenizer!,
                    saved?.Learner, name, datasetAddress, data, items, cache, dev, stderr.WriteLine);
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
