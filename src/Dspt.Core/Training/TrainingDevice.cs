using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Training;

/// <summary>Parses --device and fails clearly when CUDA is asked for but absent.</summary>
public static class TrainingDevice
{
    public static Device Parse(string name)
    {
        var text = name.Trim().ToLowerInvariant();
        if (text == "cpu") return CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidInputException(
                    $"--device {name}: CUDA is not available. Either this build uses the CPU-only TorchSharp package " +
                    "(TorchSharp-cpu; README.md, section 'GPU', says how to switch to TorchSharp-cuda-linux/-windows) " +
                    "or no NVIDIA GPU/driver is visible to this process. Use --device cpu.");
            if (text == "cuda") return CUDA;
            if (!int.TryParse(text[5..], out int index) || index < 0 || index >= cuda.device_count())
                throw new InvalidInputException($"--device {name}: expected cuda:N with N in [0, {cuda.device_count()})");
            return new Device(DeviceType.CUDA, index);
        }
        throw new InvalidInputException($"--device {name}: expected cpu, cuda or cuda:N");
    }
}
