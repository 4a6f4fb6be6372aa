using TorchSharp;
using static TorchSharp.torch;

namespace Dspt;

/// <summary>Parses --device (cpu, cuda, cuda:N) and checks that the device exists.</summary>
public static class DeviceSelection
{
    public static Device Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t == "cuda" || t.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidInputException(
                    $"--device {text}: CUDA is not available in this build (the TorchSharp-cpu package is referenced, or no GPU/driver was found); " +
                    "see README 'GPU' for switching to the CUDA package, or use --device cpu");
            int index = t == "cuda" ? 0 : int.TryParse(t[5..], out int i) && i >= 0 ? i
                : throw new InvalidInputException($"--device {text}: expected cuda:N with N a GPU index");
            if (index >= cuda.device_count())
                throw new InvalidInputException($"--device {text}: only {cuda.device_count()} CUDA device(s) present");
            return new Device(DeviceType.CUDA, index);
        }
        throw new InvalidInputException($"--device {text}: expected cpu, cuda or cuda:N");
    }

    /// <summary>Model compute dtype; LibTorch 2.10 runs all three on the CPU too (LayerNorm stays float32 inside).</summary>
    public static ScalarType ParseDType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "fp16" or "float16" => ScalarType.Float16,
        _ => throw new InvalidInputException($"--dtype {text}: expected fp32, bf16 or fp16"),
    };
}
