using System.Text.Json;
using Dspt.Imaging;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.Imaging;

/// <summary>One image of clip-preprocess/manifest.json.</summary>
public sealed record PreprocessCase(
    string Name, string File, string PilMode, int Width, int Height,
    int ResizedWidth, int ResizedHeight, int CropLeft, int CropTop);

/// <summary>The clip-preprocess manifest and refs, read once per test class.</summary>
public sealed class ClipPreprocessFixture : IDisposable
{
    public IReadOnlyList<PreprocessCase> Cases { get; }
    readonly Dictionary<string, Tensor> refs;

    public ClipPreprocessFixture()
    {
        using var manifest = JsonDocument.Parse(System.IO.File.ReadAllText(Repo.Fixture("clip-preprocess", "manifest.json")));
        Cases = manifest.RootElement.GetProperty("images").EnumerateArray().Select(e => new PreprocessCase(
            e.GetProperty("name").GetString()!,
            e.GetProperty("file").GetString()!,
            e.GetProperty("pil_mode").GetString()!,
            e.GetProperty("width").GetInt32(),
            e.GetProperty("height").GetInt32(),
            e.GetProperty("resized_wh")[0].GetInt32(),
            e.GetProperty("resized_wh")[1].GetInt32(),
            e.GetProperty("crop_left_top")[0].GetInt32(),
            e.GetProperty("crop_left_top")[1].GetInt32())).ToList();
        refs = Safetensors.Load(Repo.Fixture("clip-preprocess", "refs.safetensors"));
    }

    public void Dispose()
    {
        foreach (var t in refs.Values) t.Dispose();
    }

    public PreprocessCase Case(string name) => Cases.Single(c => c.Name == name);

    public string ImagePath(PreprocessCase c) => Repo.Fixture("clip-preprocess", c.File);

    /// <summary>pixel_values.&lt;name&gt; as (3*224*224) floats, channel-first.</summary>
    public float[] PixelValues(string name) => refs["pixel_values." + name].data<float>().ToArray();

    public float[] AlphaAfterResizeCrop(string name) => refs["alpha_after_resize_crop." + name].data<float>().ToArray();

    /// <summary>decoded_rgb.&lt;name&gt;: PIL's decoded JPEG pixels as an RGB image.</summary>
    public PixelImage DecodedRgb(string name)
    {
        var t = refs["decoded_rgb." + name];
        var values = t.data<long>().ToArray();
        return new PixelImage((int)t.shape[1], (int)t.shape[0], PixelMode.Rgb, values.Select(v => checked((byte)v)).ToArray());
    }
}
