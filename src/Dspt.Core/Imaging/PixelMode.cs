namespace Dspt.Imaging;

/// <summary>
/// How a <see cref="PixelImage"/> stores a pixel, named after PIL's modes. The value is the
/// number of interleaved uint8 channels.
/// </summary>
public enum PixelMode
{
    /// <summary>One grey channel (PIL "L").</summary>
    L = 1,
    /// <summary>Red, green, blue (PIL "RGB").</summary>
    Rgb = 3,
    /// <summary>Red, green, blue and straight (unpremultiplied) alpha (PIL "RGBA").</summary>
    Rgba = 4,
}
