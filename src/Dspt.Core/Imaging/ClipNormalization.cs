using static TorchSharp.torch;

namespace Dspt.Imaging;

/// <summary>
/// torchvision's <c>ToTensor()</c> + <c>Normalize(CLIP mean, std)</c> on an RGB uint8 image,
/// giving float32 channel-first pixels.
/// </summary>
public static class ClipNormalization
{
    // torchvision builds float32 tensors from the Python doubles, hence (float) of a double.
    public static ReadOnlySpan<float> Mean => [(float)0.48145466, (float)0.4578275, (float)0.40821073];
    public static ReadOnlySpan<float> Std => [(float)0.26862954, (float)0.26130258, (float)0.27577711];

    /// <summary>Writes the image as (3, H, W) floats: (x / 255 - mean[c]) / std[c], in float32 like torch.</summary>
    public static void WriteChw(PixelImage rgb, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Mode != PixelMode.Rgb)
            throw new ArgumentException($"normalization needs an RGB image, got {rgb.Mode}", nameof(rgb));
        WriteChw(rgb.Pixels, rgb.Width * rgb.Height, destination);
    }

    /// <summary>
    /// Writes interleaved RGB bytes (H, W, 3) as (3, H, W) floats: (x / 255 - mean[c]) / std[c].
    /// This arithmetic order is torchvision's, which the reference fixtures match bit for bit.
    /// </summary>
    public static void WriteChw(ReadOnlySpan<byte> hwc, int plane, Span<float> destination)
    {
        if (hwc.Length != 3 * plane)
            throw new ArgumentException($"{hwc.Length} bytes for {plane} RGB pixels, need {3 * plane}", nameof(hwc));
        if (destination.Length != 3 * plane)
            throw new ArgumentException($"destination holds {destination.Length} floats, need {3 * plane}", nameof(destination));
        for (int c = 0; c < 3; c++)
        {
            float mean = Mean[c], std = Std[c];
            var dst = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
                dst[i] = (hwc[3 * i + c] / 255f - mean) / std;
        }
    }

    /// <summary>A float32 tensor (3, H, W).</summary>
    public static Tensor ToTensor(PixelImage rgb)
    {
        var data = new float[3 * rgb.Width * rgb.Height];
        WriteChw(rgb, data);
        return tensor(data, [3, rgb.Height, rgb.Width]);
    }

    /// <summary>A float32 tensor (N, 3, H, W) of equally sized RGB images.</summary>
    public static Tensor ToBatch(IReadOnlyList<PixelImage> rgbImages)
    {
        ArgumentNullException.ThrowIfNull(rgbImages);
        if (rgbImages.Count == 0) throw new ArgumentException("a batch needs at least one image", nameof(rgbImages));
        int w = rgbImages[0].Width, h = rgbImages[0].Height, each = 3 * w * h;
        var data = new float[(long)rgbImages.Count * each];
        for (int n = 0; n < rgbImages.Count; n++)
        {
            var img = rgbImages[n];
            if (img.Width != w || img.Height != h)
                throw new ArgumentException($"batch image {n} is {img.Width}x{img.Height}, image 0 is {w}x{h}", nameof(rgbImages));
            WriteChw(img, data.AsSpan(n * each, each));
        }
        return tensor(data, [rgbImages.Count, 3, h, w]);
    }
}
