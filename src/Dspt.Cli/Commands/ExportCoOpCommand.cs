using System.CommandLine;
using Dspt.Clip;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

/// <summary>dspt export-coop: a saved prompt as its learner's Python checkpoint (CoOp, CoCoOp, KgCoOp: prompt_learner/model.pth.tar-E).</summary>
public static class ExportCoOpCommand
{
    public static Command Create()
    {
        var prompt = CommonOptions.SavedPrompt();
        var model = CommonOptions.Model(required: false);
        model.Description = "CLIP checkpoint the prompt was trained on (default: the one recorded in prompt.json); token_prefix/suffix are its embeddings";
        var vocab = CommonOptions.Vocab();
        var output = new Option<string>("--out", "-o") { Description = "file to write, e.g. prompt_learner/model.pth.tar-200", Required = true };
        var epoch = new Option<int?>("--epoch") { Description = "the 'epoch' field (default: the run's epoch count)" };
        var command = new Command("export-coop", "Write a saved prompt in its learner's Python checkpoint layout (torch.save of {state_dict: ctx, token_prefix, token_suffix[, meta_net.*]; epoch})")
        {
            prompt, model, vocab, output, epoch,
        };
        command.SetAction(parse =>
        {
            var (tensors, info) = PromptFile.Read(parse.GetValue(prompt)!);
            string modelPath = parse.GetValue(model) ?? EvalCommand.RecordedModel(info)
                ?? throw new InvalidInputException($"{parse.GetValue(prompt)}: prompt.json records no model path; give --model");
            using var loaded = ClipLoading.Load(modelPath, ScalarType.Float32);
            var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(vocab), modelPath));
            using var learner = PromptFile.CreateModel(tensors, info, loaded.Model, loaded.Info.Sha256, tokenizer, source: parse.GetValue(prompt)!);
            int epochs = parse.GetValue(epoch) ?? info.Training?["spec"]?["train"]?["epochs"]?.GetValue<int>() ?? 0;
            LearnerCheckpoint.Export(parse.GetValue(output)!, learner, epochs);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {parse.GetValue(output)} ({info.Learner}: ctx [{string.Join(", ", tensors["ctx"].shape)}], {info.ClassNames.Count} classes, epoch {epochs})");
            return 0;
        });
        return command;
    }
}
