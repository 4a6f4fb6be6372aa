using System.Security.Cryptography;
using Dspt.Clip;

namespace Dspt.Tests.Clip;

/// <summary>
/// A from-scratch model's parameters (the demo's pretraining starts from them) are pinned bit for
/// bit: the hashes were computed by the name-dispatching initialiser this one replaced.
/// </summary>
public class ClipInitializationTests
{
    static readonly ClipConfig Vit = new(EmbedDim: 16, ImageResolution: 32, VisionLayers: [2], VisionWidth: 64, VisionPatchSize: 16,
        ContextLength: 8, VocabSize: 50, TransformerWidth: 64, TransformerHeads: 1, TransformerLayers: 2);

    static readonly ClipConfig ResNet = new(EmbedDim: 16, ImageResolution: 64, VisionLayers: [1, 2, 1, 1], VisionWidth: 8, VisionPatchSize: null,
        ContextLength: 8, VocabSize: 50, TransformerWidth: 64, TransformerHeads: 1, TransformerLayers: 1);

    static string Hash(ClipConfig config)
    {
        using var model = new ClipModel(config);
        model.InitializeParameters(seed: 5);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, p) in model.named_parameters())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.data<float>().ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    [Fact]
    public void Vit_initialisation_is_unchanged() => Assert.Equal("0159d4f8c59fc879dc4db6bb4002fd8afa2c30d95bf9a817fbb3a93bed60cdce", Hash(Vit));

    [Fact]
    public void ResNet_initialisation_is_unchanged() => Assert.Equal("d770399a1d4fa609f4f5c9bad45aa3e880c0d30fa00cd641c400fd8eb3791034", Hash(ResNet));
}
