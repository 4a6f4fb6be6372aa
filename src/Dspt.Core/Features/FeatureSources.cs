using Dspt.Builtin;
using Dspt.Clip;
using Dspt.Suspects;
using Dspt.World;
using static TorchSharp.torch;

namespace Dspt.Features;

/// <summary>The image side of a dataset address: the built-in world's rendered splits, or image files through the feature cache.</summary>
public static class FeatureSources
{
    /// <param name="dataset">the dataset address a run records (a path, or builtin:TASK)</param>
    /// <param name="root">when set, every image file is checked against the dataset root as it is opened</param>
    public static IImageFeatureSource For(string dataset, ClipModel clip, string modelSha256, ImageFeatureCache cache, Device device, Action<string>? status = null,
        Data.DatasetRoot? root = null) =>
        BuiltinDataset.Is(dataset)
            ? new WorldFeatureSource(clip, modelSha256, BuiltinDataset.Parse(dataset), cache.Directory) { Status = status }
            : new FileFeatureSource(new ImageFeatureExtractor(clip, modelSha256, cache, device) { Root = root });

    /// <summary>Review-page thumbnails of a dataset's items (by path relative to its root).</summary>
    public static Func<string, byte[]?> Thumbnails(string dataset, string root)
    {
        if (!BuiltinDataset.Is(dataset)) return path => Suspects.Thumbnails.FromFile(Path.Combine(root, path));
        var task = BuiltinDataset.Parse(dataset).CreateTask();
        return path => Suspects.Thumbnails.FromRgb(task.Render(path), WorldRenderer.Size, WorldRenderer.Size);
    }
}
