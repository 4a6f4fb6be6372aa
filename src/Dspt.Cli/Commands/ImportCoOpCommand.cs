using System.CommandLine;
using System.Text.Json.Nodes;
using Dspt.Clip;
using Dspt.Data;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

/// <summary>
/// dspt import-coop: a CoOp checkpoint (model.pth.tar-E) as a saved prompt. The context's shape
/// gives M and unified vs class-specific; the class names (in label order) and the token
/// position are not in the file and are given here.
/// </summary>
public static class ImportCoOpCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "CoOp's prompt_learner/model.pth.tar-E (or any torch.save of its state dict)", Required = true };
        var model = CommonOptions.Model();
        var vocab = CommonOptions.Vocab();
        var dataset = CommonOptions.Dataset("dataset whose class names (in label order) the prompt was trained on", required: false);
        var reading = new DatasetOptionSet();
        reading.ClassesFile.Description = "one class name per line, in label order: instead of --dataset, or the class names of a --dataset manifest";
        var ctxInit = new Option<string?>("--ctx-init") { Description = "the CTX_INIT the prompt was trained with, if any" };
        var position = new Option<string>("--position") { Description = "CLASS_TOKEN_POSITION: end, middle, front", DefaultValueFactory = _ => "end" };
        var output = CommonOptions.Out("folder for prompt.safetensors + prompt.json", required: true);
        var learner = new Option<string>("--learner") { Description = "whose checkpoint it is: coop, cocoop, kgcoop (kgcoop:W records the weight)", DefaultValueFactory = _ => "coop" };
        var template = new Option<string>("--template") { Description = "kgcoop: the hand-crafted template (its CUSTOM_TEMPLATES entry for the dataset)", DefaultValueFactory = _ => "a photo of a {}." };
        var command = new Command("import-coop", "Read a CoOp checkpoint into a saved prompt (prompt.safetensors + prompt.json)")
        {
            checkpoint, model, vocab, dataset, ctxInit, position, output, learner, template,
        };
        CommonOptions.AddAll(command, reading.All);
        command.SetAction(parse =>
        {
            var names = parse.GetValue(dataset) is { } data
                ? reading.ReadDataset(parse, data, null, w => parse.InvocationConfiguration.Error.WriteLine($"warning: {w}")).ClassNames
                : ClassNamesFile(parse.GetValue(reading.ClassesFile));
            var options = new PromptOptions(new PromptLayout(CtxInit: parse.GetValue(ctxInit), Position: PromptLayout.ParsePosition(parse.GetValue(position)!)));
            string source = parse.GetValue(checkpoint)!;
            var state = CoOpCheckpoint.ReadState(source);
            using var loaded = ClipLoading.Load(parse.GetValue(model)!, ScalarType.Float32);
            string vocabPath = ClipTokenizer.Resolve(parse.GetValue(vocab), parse.GetValue(model));
            var tokenizer = ClipTokenizer.Load(vocabPath);
            using var prompt = LearnerCheckpoint.Import(parse.GetValue(learner)!,
                new LearnerSetup(loaded.Model, tokenizer, names, options, parse.GetValue(template)!, 0), state, source);
            foreach (var t in state.Values) t.Dispose();
            var provenance = new JsonObject
            {
                ["imported_from"] = Path.GetFullPath(source),
                ["spec"] = new JsonObject { ["model"] = Dspt.Builtin.Addresses.Model(parse.GetValue(model)!), ["vocab"] = vocabPath },
            };
            PromptFile.Save(parse.GetValue(output)!, prompt, PromptFile.Describe(prompt, loaded.Info.Sha256, provenance) with { ModelTensorsSha256 = loaded.Info.TensorsSha256 });
            parse.InvocationConfiguration.Output.WriteLine($"wrote {Path.Combine(parse.GetValue(output)!, PromptFile.TensorFile)} ({prompt.Kind}: ctx [{string.Join(", ", prompt.Trainable[0].Tensor.shape)}], {names.Count} classes)");
            return 0;
        });
        return command;
    }

    static IReadOnlyList<string> ClassNamesFile(string? file)
    {
        if (file is null) throw new InvalidInputException("import-coop: give the class names with --dataset or --classes-file");
        if (!File.Exists(file)) throw new InvalidInputException($"--classes-file {file}: no such file");
        var names = File.ReadAllLines(file!).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count == 0) throw new InvalidInputException($"--classes-file {file}: no class names");
        return names;
    }
}
