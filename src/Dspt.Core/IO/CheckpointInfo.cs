namespace Dspt.IO;

public enum CheckpointFormat
{
    /// <summary>A .safetensors file with OpenAI (or open_clip, which are the same) names.</summary>
    Safetensors,
    /// <summary>A torch.save zip (torch >= 1.6): .pt, .pth, .bin, open_clip and CoOp checkpoints.</summary>
    TorchSave,
    /// <summary>A TorchScript archive, like OpenAI's released ViT-B-32.pt.</summary>
    TorchScript,
    /// <summary>A Hugging Face CLIPModel folder: config.json + model.safetensors or pytorch_model.bin.</summary>
    HuggingFace,
}

/// <summary>Where a state dict came from, for logs and run manifests.</summary>
/// <param name="Path">The file or folder that was asked for.</param>
/// <param name="WeightsFile">The file the tensors were read from (model.safetensors or pytorch_model.bin in a folder).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of <paramref name="WeightsFile"/>.</param>
/// <param name="OriginalDTypes">How many tensors had each stored dtype before conversion, e.g. Float16: 150, Int64: 3.</param>
public sealed record CheckpointInfo(
    string Path,
    CheckpointFormat Format,
    string WeightsFile,
    string Sha256,
    IReadOnlyDictionary<string, int> OriginalDTypes);
