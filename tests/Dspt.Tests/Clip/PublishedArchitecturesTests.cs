using Dspt.Clip;
using static TorchSharp.torch;

namespace Dspt.Tests.Clip;

[CollectionDefinition(nameof(MetaDeviceCollection), DisableParallelization = true)]
public class MetaDeviceCollection;

/// <summary>
/// Every published OpenAI CLIP shape: a model built on the meta device (shapes only, no memory)
/// yields a state dict from which build_model's rules recover the same config.
/// </summary>
[Collection(nameof(MetaDeviceCollection))]
public class PublishedArchitecturesTests
{
    // (name, embed, resolution, vision layers, vision width, patch, text width, text heads, text layers, published parameter count or 0)
    public static TheoryData<string, int, int, int[], int, int?, int, int, int, long> Published => new()
    {
        { "RN50", 1024, 224, [3, 4, 6, 3], 64, null, 512, 8, 12, 102_007_137 },
        { "RN101", 512, 224, [3, 4, 23, 3], 64, null, 512, 8, 12, 0 },
        { "RN50x4", 640, 288, [4, 6, 10, 6], 80, null, 640, 10, 12, 0 },
        { "RN50x16", 768, 384, [6, 8, 18, 8], 96, null, 768, 12, 12, 0 },
        { "RN50x64", 1024, 448, [3, 15, 36, 10], 128, null, 1024, 16, 12, 0 },
        { "ViT-B/32", 512, 224, [12], 768, 32, 512, 8, 12, 151_277_313 },
        { "ViT-B/16", 512, 224, [12], 768, 16, 512, 8, 12, 0 },
        { "ViT-L/14", 768, 224, [24], 1024, 14, 768, 12, 12, 0 },
        { "ViT-L/14@336px", 768, 336, [24], 1024, 14, 768, 12, 12, 427_944_193 },
    };

    [Theory]
    [MemberData(nameof(Published))]
    [Trait("Category", "Slow")]
    public void ConfigIsRecoveredFromShapes(string name, int embed, int resolution, int[] layers, int width, int? patch,
        int textWidth, int textHeads, int textLayers, long publishedParameters)
    {
        var config = new ClipConfig(embed, resolution, layers, width, patch, 77, 49408, textWidth, textHeads, textLayers);
        var previous = get_default_device();
        set_default_device(META);
        try
        {
            using var model = new ClipModel(config);
            var shapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(config, ClipConfig.Infer(shapes, name));
            if (publishedParameters > 0) Assert.Equal(publishedParameters, model.ParameterCount());
        }
        finally
        {
            set_default_device(previous);
        }
    }
}
