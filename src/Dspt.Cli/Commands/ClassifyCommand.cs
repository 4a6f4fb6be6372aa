using System.CommandLine;
using System.Text.Json;
using Dspt.Imaging;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

public static class ClassifyCommand
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    public static Command Create()
    {
        var models = new ModelOptionSet();
        var classes = new Option<string?>("--classes") { Description = "class names, comma-separated" };
        var classesFile = new Option<string?>("--classes-file") { Description = "a file with one class name per line" };
        var template = new Option<string>("--template") { Description = "prompt template; {} is replaced by the class name", DefaultValueFactory = _ => "a photo of a {}." };
        var topK = new Option<int>("--top-k") { Description = "classes shown per image", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "print one JSON object per image" };
        var inputs = new Argument<string[]>("images") { Description = "image files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("classify", "Zero-shot classification: CLIP scores each image against '<template>' for every class")
        {
            classes, classesFile, template, topK, json, inputs,
        };
        CommonOptions.AddAll(command, models.All);
        command.SetAction(parse =>
        {
            models.ApplyThreads(parse);
            var output = parse.InvocationConfiguration.Output;
            var names = ReadClassNames(parse.GetValue(classes), parse.GetValue(classesFile));
            string tmpl = parse.GetValue(template)!;
            if (!tmpl.Contains("{}")) throw new InvalidInputException($"--template '{tmpl}': expected a '{{}}' where the class name goes");
            var files = ExpandImages(parse.GetValue(inputs)!);
            int k = Math.Clamp(parse.GetValue(topK), 1, names.Count);

            using var loaded = models.Load(parse);
            var clip = loaded.Model;
            var dev = clip.TextProjection.device;
            var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(models.Vocab), parse.GetValue(models.Model)));
            var transform = new ClipTransform(clip.Config.ImageResolution);
            using var _ = inference_mode();
            using var textFeatures = CoOpPrompts.ZeroShotFeatures(clip, tokenizer, names, tmpl, dev);

            if (!parse.GetValue(json))
            {
                output.WriteLine($"| image | {string.Join(" | ", Enumerable.Range(1, k).Select(i => $"top-{i}"))} |");
                output.WriteLine($"|---|{string.Concat(Enumerable.Repeat("---|", k))}");
            }
            const int batch = 32;
            for (int start = 0; start < files.Count; start += batch)
            {
                var chunk = files.Skip(start).Take(batch).ToList();
                using var scope = NewDisposeScope();
                var pixels = transform.ApplyBatch([.. chunk.Select(f => ImageDecoder.Decode(f))]).to(dev);
                var probs = clip.Logits(clip.EncodeImage(pixels), textFeatures).softmax(-1).to(ScalarType.Float32).cpu();
                var (values, indices) = probs.topk(k, dim: 1);
                for (int i = 0; i < chunk.Count; i++)
                {
                    var top = Enumerable.Range(0, k).Select(j => (name: names[(int)indices[i, j].item<long>()], p: values[i, j].item<float>())).ToList();
                    output.WriteLine(parse.GetValue(json)
                        ? JsonSerializer.Serialize(new { image = chunk[i], top = top.Select(t => new { label = t.name, probability = t.p }) })
                        : $"| {chunk[i]} | {string.Join(" | ", top.Select(t => $"{t.name} ({t.p:P1})"))} |");
                }
            }
            return 0;
        });
        return command;
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

    static List<string> ExpandImages(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new InvalidInputException($"{input}: folder holds no images ({string.Join(", ", ImageExtensions)})");
                files.AddRange(found);
            }
            else if (File.Exists(input)) files.Add(input);
            else throw new InvalidInputException($"{input}: no such image file or folder");
        }
        return files;
    }
}
