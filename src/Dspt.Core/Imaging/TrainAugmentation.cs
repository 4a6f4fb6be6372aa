using static TorchSharp.torch;

namespace Dspt.Imaging;

/// <summary>
/// CoOp's training augmentation: torchvision <c>RandomResizedCrop(n, scale, ratio, BICUBIC)</c>,
/// then <c>RandomHorizontalFlip(p)</c>, then RGB conversion and CLIP normalization.
/// <para>
/// Differences from torchvision, on purpose: the random numbers come from the
/// <see cref="Random"/> passed in (torchvision draws from torch's global generator), so a run is
/// reproducible from its seed whatever else touched global state; the draws are the same
/// distributions in the same order (area fraction, log aspect ratio, top, left, then flip), but
/// in double rather than float32 precision, so a seed does not reproduce a torch seed's crops.
/// The crop is resized exactly as torchvision does for PIL images: crop, then PIL bicubic resize
/// of the cropped image (pixels outside the crop never contribute).
/// </para>
/// </summary>
public sealed record TrainAugmentation
{
    public int Resolution { get; }
    public double MinScale { get; }
    public double MaxScale { get; }
    public double MinRatio { get; }
    public double MaxRatio { get; }
    public double FlipProbability { get; }

    public TrainAugmentation(int resolution = 224, double minScale = 0.08, double maxScale = 1.0,
        double minRatio = 3.0 / 4.0, double maxRatio = 4.0 / 3.0, double flipProbability = 0.5)
    {
        if (resolution < 1) throw new ArgumentOutOfRangeException(nameof(resolution), $"resolution must be positive, got {resolution}");
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(minScale), $"scale range must satisfy 0 < min <= max <= 1, got ({minScale}, {maxScale})");
        if (!(minRatio > 0 && minRatio <= maxRatio && double.IsFinite(maxRatio)))
            throw new ArgumentOutOfRangeException(nameof(minRatio), $"ratio range must satisfy 0 < min <= max, got ({minRatio}, {maxRatio})");
        if (!(flipProbability >= 0 && flipProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(flipProbability), $"flip probability must be in [0, 1], got {flipProbability}");
        (Resolution, MinScale, MaxScale, MinRatio, MaxRatio, FlipProbability) =
            (resolution, minScale, maxScale, minRatio, maxRatio, flipProbability);
    }

    /// <summary>RandomResizedCrop.get_params: 10 tries, then a central crop clamped to the ratio range.</summary>
    public CropWindow SampleCrop(int width, int height, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double area = (double)width * height;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * Uniform(rng, MinScale, MaxScale);
            double aspect = Math.Exp(Uniform(rng, logMin, logMax));
            // Python's round() is half to even, as is Math.Round's default.
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect));
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                int top = rng.Next(0, height - h + 1);
                int left = rng.Next(0, width - w + 1);
                return new CropWindow(top, left, h, w);
            }
        }
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < MinRatio) { cw = width; ch = (int)Math.Round(cw / MinRatio); }
        else if (inRatio > MaxRatio) { ch = height; cw = (int)Math.Round(ch * MaxRatio); }
        else { cw = width; ch = height; }
        return new CropWindow((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <summary>The crop, then the flip coin (torchvision's order).</summary>
    public AugmentationDraw Sample(int width, int height, Random rng)
    {
        var crop = SampleCrop(width, height, rng);
        bool flip = rng.NextDouble() < FlipProbability;
        return new AugmentationDraw(crop, flip);
    }

    /// <summary>Applies a given draw: n x n uint8 RGB.</summary>
    public PixelImage ApplyRgb(PixelImage image, AugmentationDraw draw)
    {
        ArgumentNullException.ThrowIfNull(image);
        var c = draw.Crop;
        var cropped = image.Crop(c.Left, c.Top, c.Width, c.Height);
        var resized = PilResize.Resize(cropped, Resolution, Resolution);
        return (draw.Flip ? resized.FlipHorizontal() : resized).ToRgb();
    }

    /// <summary>Draws and applies: n x n uint8 RGB.</summary>
    public PixelImage ApplyRgb(PixelImage image, Random rng) =>
        ApplyRgb(image, Sample(image.Width, image.Height, rng));

    /// <summary>Draws and applies: float32 (3, n, n), CLIP-normalized.</summary>
    public Tensor Apply(PixelImage image, Random rng) => ClipNormalization.ToTensor(ApplyRgb(image, rng));

    /// <summary>Float32 (N, 3, n, n), drawing for the images in order.</summary>
    public Tensor ApplyBatch(IReadOnlyList<PixelImage> images, Random rng)
    {
        ArgumentNullException.ThrowIfNull(images);
        var crops = new PixelImage[images.Count];
        for (int i = 0; i < crops.Length; i++) crops[i] = ApplyRgb(images[i], rng);
        return ClipNormalization.ToBatch(crops);
    }

    static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
