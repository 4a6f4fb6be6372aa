using System.Buffers.Binary;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// One entry point for every checkpoint a user may have: it detects the format from the content
/// (not the name), reads OpenAI-named tensors, and converts floating tensors to one dtype.
/// </summary>
public static class CheckpointLoader
{
    const string Supported =
        "supported: .safetensors with OpenAI/open_clip names, torch.save zip files (torch >= 1.6; .pt/.pth/.bin, open_clip and CoOp checkpoints), " +
        "TorchScript archives (OpenAI's released .pt files) and Hugging Face CLIPModel folders (config.json + model.safetensors or pytorch_model.bin)";

    static readonly ScalarType[] FloatingTypes = [ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float64];
    /// <summary>Scalars OpenAI's archives carry beside the weights; the model drops them, and so does the tensor hash.</summary>
    public static readonly IReadOnlyCollection<string> NotWeights = ["input_resolution", "context_length", "vocab_size"];

    static readonly ScalarType[] KeptTypes = [ScalarType.Int64, ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool];

    /// <summary>
    /// The state dict (OpenAI names) with every floating tensor in <paramref name="dtype"/>;
    /// integer buffers such as BatchNorm's num_batches_tracked keep their dtype.
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path, out CheckpointInfo info, ScalarType dtype = ScalarType.Float32)
    {
        if (!FloatingTypes.Contains(dtype))
            throw new ArgumentException($"the requested dtype must be one of {string.Join(", ", FloatingTypes)}, not {dtype}", nameof(dtype));
        var format = DetectFormat(path);
        string weightsFile = format == CheckpointFormat.HuggingFace ? HuggingFaceClip.WeightsFile(path) : path;
        var raw = format switch
        {
            CheckpointFormat.Safetensors => Safetensors.Load(path),
            CheckpointFormat.TorchSave => TorchPickle.LoadStateDict(path),
            CheckpointFormat.TorchScript => TorchScriptArchive.LoadStateDict(path),
            _ => HuggingFaceClip.LoadStateDict(path),
        };
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            if (format != CheckpointFormat.HuggingFace && raw.Keys.FirstOrDefault(IsHuggingFaceName) is { } hfName)
                throw new InvalidInputException($"{path}: holds Hugging Face CLIPModel names ('{hfName}'); pass the model's folder (with {HuggingFaceClip.ConfigFileName}) instead");
            foreach (var (name, t) in raw)
            {
                if (FloatingTypes.Contains(t.dtype))
                {
                    RequireFinite(t, name, weightsFile);
                    result[name] = t.dtype == dtype ? t : t.to(dtype);
                }
                else if (KeptTypes.Contains(t.dtype))
                    result[name] = t;
                else
                    throw new InvalidInputException($"{weightsFile}: tensor '{name}' has dtype {t.dtype}, which is not supported (expected {string.Join("/", FloatingTypes)}, or an integer buffer)");
            }
            info = new CheckpointInfo(path, format, weightsFile, ContentHash.OfFile(weightsFile),
                raw.Values.GroupBy(t => t.dtype.ToString()).ToDictionary(g => g.Key, g => g.Count()))
            {
                TensorsSha256 = TensorHash.Of(raw, NotWeights),
            };
        }
        catch
        {
            foreach (var t in result.Values.Concat(raw.Values).Distinct(ReferenceEqualityComparer.Instance)) ((Tensor)t!).Dispose();
            throw;
        }
        foreach (var (name, t) in raw)
            if (!ReferenceEquals(result[name], t)) t.Dispose();
        return result;
    }

    /// <summary>A NaN or infinite weight would only show up later as NaN features or a
    /// "diverged" training run, blamed on the wrong thing.</summary>
    static void RequireFinite(Tensor t, string name, string file)
    {
        using var scope = NewDisposeScope();
        var bad = t.isfinite().logical_not();
        long count = bad.sum().item<long>();
        if (count == 0) return;
        long first = bad.flatten().nonzero()[0, 0].item<long>();
        double value = t.flatten()[first].to(ScalarType.Float64).item<double>();
        throw new InvalidInputException($"{file}: tensor '{name}' holds {count} non-finite value(s) (the first, {value}, at flat index {first}); model weights must be finite numbers");
    }

    /// <summary>The format of a file or folder, from its content.</summary>
    public static CheckpointFormat DetectFormat(string path)
    {
        if (Directory.Exists(path))
            return HuggingFaceClip.IsModelDirectory(path)
                ? CheckpointFormat.HuggingFace
                : throw new InvalidInputException($"{path}: a folder without {HuggingFaceClip.ConfigFileName}, so not a Hugging Face model folder; {Supported}");
        if (!File.Exists(path))
            throw new InvalidInputException($"{path}: no such file or folder");

        Span<byte> head = stackalloc byte[9];
        long length;
        try
        {
            using var stream = InputFile.OpenRead(path);
            length = stream.Length;
            head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot open: {e.Message}", e);
        }

        if (head.StartsWith(TorchZip.ZipMagic))
        {
            using var zip = TorchZip.Open(path);
            if (zip.IsTorchScript) return CheckpointFormat.TorchScript;
            if (zip.Find("data.pkl") != null) return CheckpointFormat.TorchSave;
            throw new InvalidInputException($"{path}: a zip archive with neither {zip.Root}/data.pkl (torch.save) nor {zip.Root}/constants.pkl (TorchScript); {Supported}");
        }
        // safetensors: u64 header length, then the JSON header's '{'.
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            || (head.Length == 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) is var n && n >= 2 && n <= (ulong)(length - 8)))
            return CheckpointFormat.Safetensors;
        if (head.Length > 0 && head[0] == 0x80)
            throw new InvalidInputException($"{path}: legacy (pre-1.6) torch.save format; re-save with torch >= 1.6 (torch.save(torch.load(f), f))");
        throw new InvalidInputException($"{path}: unrecognised checkpoint format; {Supported}");
    }

    static bool IsHuggingFaceName(string name) =>
        name.StartsWith("text_model.", StringComparison.Ordinal) || name.StartsWith("vision_model.", StringComparison.Ordinal);
}
