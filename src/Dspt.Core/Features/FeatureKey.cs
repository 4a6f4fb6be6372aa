using System.Security.Cryptography;
using System.Text;
using Dspt.Training;

namespace Dspt.Features;

/// <summary>
/// Identifies one image feature: which model encoded which image content under which view.
/// View 0 is the test transform (resize + center crop) and does not depend on a seed; views
/// 1..V are train augmentations, each drawn from a random stream seeded by (augmentation seed,
/// content hash, view), so the same key always means the same pixels.
/// </summary>
public sealed record FeatureKey(string ModelHash, string ContentHash, int View, long AugmentationSeed)
{
    public static FeatureKey TestView(string modelHash, string contentHash) => new(modelHash, contentHash, 0, 0);

    /// <summary>sha256 over a versioned, unambiguous rendering of the four parts (hex).</summary>
    public string Digest { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"dspt-image-feature-v1\n{ModelHash}\n{ContentHash}\n{View}\n{(View == 0 ? 0 : AugmentationSeed)}")));

    /// <summary>The random stream for this view's augmentation (meaningless for view 0).</summary>
    public Random AugmentationRandom() => SeedStreams.Named(AugmentationSeed, "augment", ContentHash, View);
}
