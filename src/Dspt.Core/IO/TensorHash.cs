using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// sha256 of a model's weights rather than of its file, so the same tensors saved as a
/// TorchScript archive, a torch.save pickle, safetensors or a Hugging Face folder are one model.
/// Canonical form: the tensors by (OpenAI) name in ordinal order, each as its name, its kind,
/// its shape and its values. Floating tensors are hashed as little-endian float32 values: F16
/// and BF16 convert to float32 exactly and the model computes in float32, so a half-precision
/// file and a float32 file holding the same numbers agree; a float64 tensor that float32 cannot
/// hold exactly is hashed as float64. Integer buffers keep their dtype.
/// </summary>
public static class TensorHash
{
    /// <param name="skip">names that are not weights (the scalars OpenAI's archives carry and the model drops)</param>
    public static string Of(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyCollection<string>? skip = null)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var number = new byte[8];
        void Text(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            Long(bytes.Length);
            sha.AppendData(bytes);
        }
        void Long(long n)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, n);
            sha.AppendData(number);
        }
        foreach (var name in tensors.Keys.Where(n => skip is null || !skip.Contains(n)).Order(StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            var (kind, values) = Canonical(tensors[name]);
            Text(name);
            Text(kind);
            Long(values.shape.Length);
            foreach (var d in values.shape) Long(d);
            if (values.numel() > 0) sha.AppendData(values.bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    static (string Kind, Tensor Values) Canonical(Tensor t)
    {
        var cpu = t.detach().cpu().contiguous();
        if (!cpu.is_floating_point()) return (cpu.dtype.ToString(), cpu);
        var f32 = cpu.dtype == ScalarType.Float32 ? cpu : cpu.to(ScalarType.Float32);
        if (cpu.dtype == ScalarType.Float64 && !f32.to(ScalarType.Float64).eq(cpu).all().item<bool>()) return ("Float64", cpu);
        return ("Float32", f32);
    }
}
