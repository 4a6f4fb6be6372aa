using Dspt.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>A model and where it came from (format, file hash: the manifest records both).</summary>
public sealed record LoadedClip(ClipModel Model, CheckpointInfo Info) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

public static class ClipLoading
{
    /// <summary>
    /// Loads any supported checkpoint (OpenAI .pt TorchScript, torch.save pickle, safetensors,
    /// Hugging Face folder; "builtin" for the bundled world CLIP) into an eval-mode, frozen CLIP on <paramref name="device"/>.
    /// </summary>
    public static LoadedClip Load(string path, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        path = Builtin.BuiltinModel.Resolve(path);
        var sd = CheckpointLoader.LoadStateDict(path, out var info);
        try
        {
            var model = ClipModel.FromStateDict(sd, path, dtype);
            if (device is not null && device.type != DeviceType.CPU) model.to(device);
            return new LoadedClip(model, info);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }
}
