using static TorchSharp.torch;

namespace Dspt.World;

/// <summary>Turns rendered world images into the model's input: float [N, 3, 64, 64], CLIP-normalised.</summary>
public static class WorldImages
{
    // OpenAI CLIP's normalisation (method.md section 3), so the world's model sees inputs scaled like CLIP's.
    static ReadOnlySpan<float> Mean => [0.48145466f, 0.4578275f, 0.40821073f];
    static ReadOnlySpan<float> Std => [0.26862954f, 0.26130258f, 0.27577711f];

    public static Tensor ToClipTensor(IReadOnlyList<byte[]> images)
    {
        const int size = WorldRenderer.Size, plane = size * size;
        var data = new float[images.Count * 3 * plane];
        for (int n = 0; n < images.Count; n++)
        {
            var hwc = images[n];
            if (hwc.Length != 3 * plane)
                throw new ArgumentException($"image {n} has {hwc.Length} bytes; a world image has {size}x{size}x3");
            int baseOffset = n * 3 * plane;
            for (int c = 0; c < 3; c++)
            {
                float scale = 1f / (255f * Std[c]), shift = Mean[c] / Std[c];
                int dst = baseOffset + c * plane;
                for (int p = 0; p < plane; p++)
                    data[dst + p] = hwc[3 * p + c] * scale - shift;
            }
        }
        return tensor(data, [images.Count, 3, size, size]);
    }
}
