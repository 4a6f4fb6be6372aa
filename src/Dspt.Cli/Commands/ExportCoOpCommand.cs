using System.CommandLine;
using Dspt.Clip;
using Dspt.Prompting;
using Dspt.Runs;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

/// <summary>dspt export-coop: a saved prompt as CoOp's checkpoint (prompt_learner/model.pth.tar-E).</summary>
public static class ExportCoOpCommand
{
    public static Command Create()
    {
        var prompt = CommonOptions.SavedPrompt();
        var model = CommonOptions.Model(required: false);
        model.Description = "CLIP checkpoint the prompt was trained on (default: the one recorded in prompt.json); token_prefix/suffix are its embeddings";
        var vocab = CommonOptions.Vocab();
        var output = CommonOptions.Out("file to write, e.g. prompt_learner/model.pth.tar-200", required: true);
        var epoch = new Option<int?>("--epoch") { Description = "the 'epoch' field (default: the run's epoch count)" };
        var command = new Command("export-coop", "Write a saved prompt in its learner's Python checkpoint layout (torch.save of {state_dict: ctx, token_prefix, token_suffix[, meta_net.*]; epoch})")
        {
            prompt, model, vocab, output, epoch,
        };
        command.SetAction(parse =>
        {
            using var saved = SavedPrompt.Open(parse.GetValue(prompt)!, parse.GetValue(model), parse.GetValue(vocab));
            var learner = saved.Learner;
            int epochs = parse.GetValue(epoch) ?? saved.RecordedEpochs;
            LearnerCheckpoint.Export(parse.GetValue(output)!, learner, epochs);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {parse.GetValue(output)} ({saved.Info.Learner}: ctx [{string.Join(", ", learner.Trainable[0].Tensor.shape)}], {saved.Info.ClassNames.Count} classes, epoch {epochs})");
            return 0;
        });
        return command;
    }
}
