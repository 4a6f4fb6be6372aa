using static TorchSharp.torch;

namespace Dspt.Imaging;

/// <summary>
/// OpenAI CLIP's <c>clip.clip._transform(n_px)</c>: Resize(n_px, BICUBIC) on the PIL image,
/// CenterCrop(n_px), convert("RGB"), ToTensor, Normalize. The RGB conversion comes after the
/// resize and crop, as in the original, so RGBA is resized premultiplied and then loses its alpha
/// without compositing (transparent areas come out black), and grey is resized as one channel.
/// </summary>
public sealed record ClipTransform
{
    public int Resolution { get; }

    public ClipTransform(int resolution = 224)
    {
        if (resolution < 1) throw new ArgumentOutOfRangeException(nameof(resolution), $"resolution must be positive, got {resolution}");
        Resolution = resolution;
    }

    /// <summary>
    /// torchvision Resize(int): the short side becomes n, the long side int(n * long / short)
    /// (truncated, e.g. 17x33 -> 224x434).
    /// </summary>
    public (int Width, int Height) ResizedSize(int width, int height)
    {
        int n = Resolution;
        bool portrait = width <= height;
        long shortSide = portrait ? width : height, longSide = portrait ? height : width;
        // Python: n * long / short with exact integer operands and one correctly rounded division.
        int newLong = checked((int)((double)(n * longSide) / shortSide));
        return portrait ? (n, newLong) : (newLong, n);
    }

    /// <summary>torchvision CenterCrop: Python round() of half the excess, i.e. half to even.</summary>
    public (int Left, int Top) CropOrigin(int width, int height) =>
        ((int)Math.Round((width - Resolution) / 2.0, MidpointRounding.ToEven),
         (int)Math.Round((height - Resolution) / 2.0, MidpointRounding.ToEven));

    /// <summary>
    /// The n x n uint8 crop in the image's own mode (RGBA keeps its alpha: useful to mask tests).
    /// An n x n input is returned as is, not copied.
    /// </summary>
    public PixelImage ResizeAndCrop(PixelImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (w, h) = ResizedSize(image.Width, image.Height);
        // torchvision returns the image untouched when the short side already has the size.
        var resized = Math.Min(image.Width, image.Height) == Resolution ? image : PilResize.Resize(image, w, h);
        var (left, top) = CropOrigin(resized.Width, resized.Height);
        return left == 0 && top == 0 && resized.Width == Resolution && resized.Height == Resolution
            ? resized
            : resized.Crop(left, top, Resolution, Resolution);
    }

    /// <summary>The n x n uint8 RGB crop that gets normalized (cacheable instead of the floats).</summary>
    public PixelImage CropRgb(PixelImage image) => ResizeAndCrop(image).ToRgb();

    /// <summary>Float32 (3, n, n), normalized with CLIP's mean and std.</summary>
    public Tensor Apply(PixelImage image) => ClipNormalization.ToTensor(CropRgb(image));

    /// <summary>Float32 (N, 3, n, n).</summary>
    public Tensor ApplyBatch(IReadOnlyList<PixelImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var crops = new PixelImage[images.Count];
        for (int i = 0; i < crops.Length; i++) crops[i] = CropRgb(images[i]);
        return ClipNormalization.ToBatch(crops);
    }
}
