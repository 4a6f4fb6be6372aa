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
    IReadOnlyDictionary<string, int> OriginalDTypes)
{
    /// <summary>
    /// The hash of the weights themselves (<see cref="TensorHash"/>): equal for the same tensors
    /// in another file format, where <see cref="Sha256"/> differs.
    /// </summary>
    public string TensorsSha256 { get; init; } = "";

    /// <summary>
    /// Whether these are the weights recorded as <paramref name="fileSha256"/> (the file's hash)
    /// and <paramref name="tensorsSha256"/> (the tensors' hash; null in records made before it existed,
    /// which then need the same file).
    /// </summary>
    public bool Matches(string fileSha256, string? tensorsSha256) =>
        string.Equals(fileSha256, Sha256, StringComparison.OrdinalIgnoreCase)
        || (!string.IsNullOrEmpty(tensorsSha256) && string.Equals(tensorsSha256, TensorsSha256, StringComparison.OrdinalIgnoreCase));
}
