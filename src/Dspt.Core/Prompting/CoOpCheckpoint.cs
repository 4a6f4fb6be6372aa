using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// CoOp's saved prompt: Dassl's <c>save_checkpoint</c> layout,
/// <c>torch.save({"state_dict": OrderedDict(ctx, token_prefix, token_suffix), "epoch": E,
/// "optimizer": None, "scheduler": None}, "prompt_learner/model.pth.tar-E")</c>, which CoOp's
/// <c>load_model</c> reads (it drops token_prefix/token_suffix and loads ctx). Optimizer and
/// scheduler states are not exported, so the file serves evaluation, not resuming CoOp's training.
/// </summary>
public static class CoOpCheckpoint
{
    public static void Export(string path, PromptLearner learner, int epoch)
    {
        var tensors = learner.CoOpState();
        Export(path, [.. new[] { "ctx", "token_prefix", "token_suffix" }.Select(n => (n, tensors[n]))], epoch);
    }

    /// <summary>Dassl's checkpoint of any prompt learner's state dict, entries in the given (state_dict) order; disposes them.</summary>
    public static void Export(string path, IReadOnlyList<(string Name, Tensor Value)> tensors, int epoch)
    {
        var state = new PickleDict { IsOrderedDict = true };
        try
        {
            foreach (var (name, value) in tensors) state[name] = value;
            TorchPickle.Save(path, new PickleDict
            {
                ["state_dict"] = state,
                ["epoch"] = (long)epoch,
                ["optimizer"] = null,
                ["scheduler"] = null,
            });
        }
        finally
        {
            foreach (var (_, t) in tensors) t.Dispose();
        }
    }

    /// <summary>The prompt_learner state dict of a CoOp checkpoint (the file's 'state_dict', or a bare state dict).</summary>
    public static Dictionary<string, Tensor> ReadState(string path) => TorchPickle.LoadStateDict(path);
}
