namespace Dspt.Imaging;

/// <summary>
/// The source region that <see cref="PilResize"/> scales, in pixel-edge coordinates (PIL's
/// <c>resize(..., box=(left, top, right, bottom))</c>). Single precision on purpose: Pillow parses
/// the box into C floats, and the resampling weights depend on that rounding.
/// </summary>
public readonly record struct ResizeBox(float Left, float Top, float Right, float Bottom)
{
    public static ResizeBox Full(int width, int height) => new(0, 0, width, height);
}
