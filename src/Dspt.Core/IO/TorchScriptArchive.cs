using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// OpenAI's released CLIP <c>.pt</c> files are TorchScript archives. LibTorch's own deserializer
/// (<c>torch.jit.load</c>) reads them; only the parameters and buffers are taken, no method of the
/// module is called.
/// </summary>
public static class TorchScriptArchive
{
    /// <summary>Scalar buffers OpenAI's archives carry and clip.model.build_model deletes.</summary>
    public static readonly IReadOnlyList<string> DroppedBuffers = ["input_resolution", "context_length", "vocab_size"];

    /// <summary>Parameters and buffers by their state-dict names, in their stored dtype, on the CPU.</summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path)
    {
        using (var zip = TorchZip.Open(path))
            if (!zip.IsTorchScript)
                throw new InvalidInputException($"{path}: not a TorchScript archive (no {zip.Root}/constants.pkl or {zip.Root}/code/); a torch.save file is read with TorchPickle");

        using var scope = NewDisposeScope();
        jit.ScriptModule module;
        try { module = jit.load(path, TorchSharp.DeviceType.CPU, -1); }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidInputException($"{path}: LibTorch cannot read this TorchScript archive: {FirstLine(e.Message)}", e);
        }
        using var _ = module;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var named = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (b.name, b.buffer)));
        foreach (var (name, value) in named)
        {
            if (DroppedBuffers.Contains(name)) continue;
            if (!result.TryAdd(name, value.detach()))
                throw new InvalidInputException($"{path}: the TorchScript module has two tensors named '{name}'");
        }
        foreach (var t in result.Values) t.DetachFromDisposeScope();
        return result;
    }

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
