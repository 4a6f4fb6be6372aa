namespace Dspt.Imaging;

/// <summary>
/// A decoded 8-bit image: rows top to bottom, each row <c>Width * Channels</c> interleaved bytes,
/// alpha (if any) straight, i.e. unpremultiplied as it is stored in PNG files and in PIL.
/// </summary>
public sealed class PixelImage
{
    public int Width { get; }
    public int Height { get; }
    public PixelMode Mode { get; }
    public byte[] Pixels { get; }

    public int Channels => (int)Mode;

    public PixelImage(int width, int height, PixelMode mode, byte[] pixels)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), $"unknown pixel mode {mode}");
        ArgumentNullException.ThrowIfNull(pixels);
        long expected = (long)width * height * (int)mode;
        if (pixels.LongLength != expected)
            throw new ArgumentException($"{width}x{height} {mode} needs {expected} bytes, got {pixels.LongLength}", nameof(pixels));
        Width = width;
        Height = height;
        Mode = mode;
        Pixels = pixels;
    }

    /// <summary>The byte of channel <paramref name="c"/> at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y, int c] => Pixels[((long)y * Width + x) * Channels + c];

    /// <summary>An integer crop that lies inside the image (PIL's <c>crop</c> without padding).</summary>
    public PixelImage Crop(int left, int top, int width, int height)
    {
        if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > Width || top + height > Height)
            throw new ArgumentOutOfRangeException(nameof(left),
                $"crop (left {left}, top {top}, {width}x{height}) does not lie inside the {Width}x{Height} image");
        int rowBytes = width * Channels;
        var dst = new byte[(long)height * rowBytes];
        for (int y = 0; y < height; y++)
            Array.Copy(Pixels, ((long)(top + y) * Width + left) * Channels, dst, (long)y * rowBytes, rowBytes);
        return new PixelImage(width, height, Mode, dst);
    }

    /// <summary>Mirror left-right (PIL's <c>FLIP_LEFT_RIGHT</c>).</summary>
    public PixelImage FlipHorizontal()
    {
        int ch = Channels;
        var src = Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < Height; y++)
        {
            long row = (long)y * Width * ch;
            for (int x = 0; x < Width; x++)
            {
                long from = row + (long)x * ch, to = row + (long)(Width - 1 - x) * ch;
                for (int c = 0; c < ch; c++) dst[to + c] = src[from + c];
            }
        }
        return new PixelImage(Width, Height, Mode, dst);
    }

    /// <summary>
    /// PIL's <c>convert("RGB")</c>: grey is replicated and alpha is dropped without compositing on
    /// a background, so colour stored under alpha = 0 survives (as CLIP's preprocessing expects).
    /// </summary>
    public PixelImage ToRgb()
    {
        if (Mode == PixelMode.Rgb) return this;
        long n = (long)Width * Height;
        var dst = new byte[n * 3];
        var src = Pixels;
        if (Mode == PixelMode.L)
        {
            for (long i = 0; i < n; i++)
                dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = src[i];
        }
        else
        {
            for (long i = 0; i < n; i++)
            {
                dst[3 * i] = src[4 * i];
                dst[3 * i + 1] = src[4 * i + 1];
                dst[3 * i + 2] = src[4 * i + 2];
            }
        }
        return new PixelImage(Width, Height, PixelMode.Rgb, dst);
    }
}
