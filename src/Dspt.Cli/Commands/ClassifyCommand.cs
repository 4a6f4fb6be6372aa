using System.CommandLine;
using System.Text.Json;
using Dspt.Evaluation;
using Dspt.Runs;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

public static class ClassifyCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet(required: false,
            "CLIP checkpoint (required without --prompt; with it, default the one the prompt records: its tensors must be the same, in any file format)");
        var prompt = CommonOptions.SavedPrompt();
        prompt.Required = false;
        prompt.Description = "classify with a trained prompt (any learner): a run folder or a folder with prompt.safetensors + prompt.json; its classes unless --classes/--classes-file apply it to others";
        var classes = new Option<string?>("--classes") { Description = "class names, comma-separated" };
        var classesFile = new Option<string?>("--classes-file") { Description = "a file with one class name per line" };
        var template = new Option<string?>("--template") { Description = "zero-shot prompt template; {} is replaced by the class name (default \"a photo of a {}.\")" };
        var topK = new Option<int>("--top-k") { Description = "classes shown per image", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "print one JSON object per image" };
        var inputs = new Argument<string[]>("images") { Description = "image files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("classify", "Classify images: zero-shot (CLIP scores each image against '<template>' for every class) or with a trained prompt (--prompt)")
        {
            classes, classesFile, template, topK, json, inputs,
        };
        command.Options.Add(prompt);
        CommonOptions.AddAll(command, models.All);
        command.SetAction(parse =>
        {
            models.ApplyThreads(parse);
            var output = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string? promptPath = parse.GetValue(prompt);
            bool namesGiven = parse.GetValue(classes) is not null || parse.GetValue(classesFile) is not null;
            var names = promptPath is not null && !namesGiven ? null : ReadClassNames(parse.GetValue(classes), parse.GetValue(classesFile));
            var files = ImageClassifier.ExpandImages(parse.GetValue(inputs)!);
            if (promptPath is null && parse.GetValue(models.Model) is null)
                throw new InvalidInputException("classify: give the CLIP checkpoint with --model (or --model builtin), or a trained prompt with --prompt");
            if (promptPath is not null && parse.GetValue(template) is not null)
                throw new InvalidInputException("classify: --template is for zero-shot classification; a trained prompt (--prompt) brings its own context");
            if (promptPath is not null && parse.GetResult(models.DType) is { Implicit: false } && models.DTypeOf(parse) != ScalarType.Float32)
                throw new InvalidInputException($"classify --dtype {parse.GetValue(models.DType)}: a trained prompt runs in fp32");

            using var saved = promptPath is null ? null
                : SavedPrompt.Open(promptPath, parse.GetValue(models.Model), parse.GetValue(models.Vocab), models.DeviceOf(parse), names);
            using var loaded = saved is null ? models.Load(parse) : null;
            using var classifier = saved is not null
                ? ImageClassifier.WithPrompt(saved.Model, saved.Learner, saved.ClassNames)
                : ImageClassifier.ZeroShot(loaded!.Model, ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(models.Vocab), parse.GetValue(models.Model))),
                    names!, Template(parse.GetValue(template)));
            int k = Math.Clamp(parse.GetValue(topK), 1, classifier.ClassNames.Count);
            bool asJson = parse.GetValue(json);
            if (!asJson)
            {
                output.WriteLine($"| image | {string.Join(" | ", Enumerable.Range(1, k).Select(i => $"top-{i}"))} |");
                output.WriteLine($"|---|{string.Concat(Enumerable.Repeat("---|", k))}");
            }
            using var interrupt = new Progress.InterruptSignal();
            var (classified, skipped) = classifier.Classify(files, k,
                image => output.WriteLine(asJson
                    ? JsonSerializer.Serialize(new { image = image.Path, top = image.Top.Select(t => new { label = t.Label, probability = t.Probability }) })
                    : $"| {image.Path} | {string.Join(" | ", image.Top.Select(t => $"{t.Label} ({t.Probability:P1})"))} |"),
                (file, reason) => stderr.WriteLine($"warning: skipped {file}: {reason}"),
                cancellation: interrupt.Token);
            if (skipped > 0) stderr.WriteLine($"classified {classified} images, skipped {skipped} that could not be decoded");
            if (classified == 0) throw new InvalidInputException($"classify: none of the {files.Count} files could be decoded as an image");
            return 0;
        });
        return command;
    }

    static string Template(string? template)
    {
        string tmpl = template ?? "a photo of a {}.";
        if (!tmpl.Contains("{}")) throw new InvalidInputException($"--template '{tmpl}': expected a '{{}}' where the class name goes");
        return tmpl;
    }

    static List<string> ReadClassNames(string? list, string? file)
    {
        if ((list is null) == (file is null))
            throw new InvalidInputException("classify: give the class names with exactly one of --classes or --classes-file");
        List<string> names;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new InvalidInputException($"--classes-file {file}: no such file");
            names = [.. File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0)];
        }
        else names = [.. list!.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0)];
        if (names.Count < 2) throw new InvalidInputException($"classify: need at least two class names, got {names.Count}");
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidInputException($"classify: class name '{dup.Key}' is given twice");
        return names;
    }
}
