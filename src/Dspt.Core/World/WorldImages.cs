using Dspt.Imaging;
using static TorchSharp.torch;

namespace Dspt.World;

/// <summary>Turns rendered world images into the model's input: float [N, 3, 64, 64], CLIP-normalised.</summary>
public static class WorldImages
{
    public static Tensor ToClipTensor(IReadOnlyList<byte[]> images)
    {
        const int size = WorldRenderer.Size, plane = size * size;
        var data = new float[images.Count * 3 * plane];
        for (int n = 0; n < images.Count; n++)
        {
            if (images[n].Length != 3 * plane)
                throw new ArgumentException($"image {n} has {images[n].Length} bytes; a world image has {size}x{size}x3");
            ClipNormalization.WriteChw(images[n], plane, data.AsSpan(n * 3 * plane, 3 * plane));
        }
        return tensor(data, [images.Count, 3, size, size]);
    }
}
