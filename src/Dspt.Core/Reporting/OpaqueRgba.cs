namespace Dspt.Reporting;

/// <summary>Packed RGB bytes (3 per pixel, as the built-in world renders them) widened to the
/// opaque RGBA that SkiaSharp draws: the contact sheets' tiles and the review page's thumbnails.</summary>
public static class OpaqueRgba
{
    public static byte[] FromRgb(byte[] rgb)
    {
        if (rgb.Length % 3 != 0) throw new ArgumentException($"RGB bytes come in threes, got {rgb.Length}", nameof(rgb));
        int pixels = rgb.Length / 3;
        var rgba = new byte[pixels * 4];
        for (int p = 0; p < pixels; p++)
        {
            rgba[4 * p] = rgb[3 * p];
            rgba[4 * p + 1] = rgb[3 * p + 1];
            rgba[4 * p + 2] = rgb[3 * p + 2];
            rgba[4 * p + 3] = 255;
        }
        return rgba;
    }
}
