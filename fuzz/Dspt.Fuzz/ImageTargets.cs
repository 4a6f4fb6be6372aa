using Dspt.Imaging;
using SkiaSharp;

namespace Dspt.Fuzz;

/// <summary>Images through the decoder and CLIP's resize/crop/normalise.</summary>
public static class ImageTargets
{
    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("image", "ImageDecoder.Decode (PNG/JPEG/BMP/GIF/WebP) and ClipTransform",
            dir =>
            [
                Seeds.Image(7, 5, SKEncodedImageFormat.Png),
                Seeds.Image(5, 9, SKEncodedImageFormat.Png, SKColorType.Gray8, SKAlphaType.Opaque, 1),
                Seeds.Image(12, 8, SKEncodedImageFormat.Jpeg, SKColorType.Rgba8888, SKAlphaType.Opaque, 2),
                Seeds.Image(4, 4, SKEncodedImageFormat.Webp, seed: 3),
                Seeds.Bmp(6, 3),
                .. SharedFixtures.ReadAll(Path.Combine("clip-preprocess", "images"), "*").Where(b => b.Length < 64 << 10),
            ],
            (dir, input) =>
            {
                string path = Path.Combine(dir, "image");
                File.WriteAllBytes(path, input);
                var image = ImageDecoder.Decode(path);
                using var t = new ClipTransform(32).Apply(image);
            });
    }
}
