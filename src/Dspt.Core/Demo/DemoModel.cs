using Dspt.Clip;
using Dspt.World;

namespace Dspt.Demo;

/// <summary>
/// The built-in demo's CLIP: a ModifiedResNet image tower (the study found it learns shape where
/// a small ViT did not) and a small causal text transformer, both CLIP's own classes, sized to
/// stay under ~20 MB in float16. The bundled files live in assets/demo and are copied next to
/// the CLI.
/// </summary>
public static class DemoModel
{
    public const string WeightsFile = "world-clip.safetensors";
    public const string VocabFile = "bpe_world_vocab.txt.gz";
    public const string ManifestFile = "world-clip.json";

    /// <summary>Captions have at most 18 pieces; CoOp prompts need SOT + 16 context + name + '.' + EOT = 20.</summary>
    public const int ContextLength = 24;

    public static ClipConfig Config(int vocabSize) => new(
        EmbedDim: 128,
        ImageResolution: WorldRenderer.Size,
        VisionLayers: [1, 1, 1, 1],
        VisionWidth: 32,
        VisionPatchSize: null,
        ContextLength: ContextLength,
        VocabSize: vocabSize,
        TransformerWidth: 128,
        TransformerHeads: 2,
        TransformerLayers: 3);

    /// <summary>The folder holding the bundled model: next to the running binary, else in the source tree.</summary>
    public static string BundledFolder()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "assets", "demo");
                if (File.Exists(Path.Combine(candidate, WeightsFile))) return candidate;
            }
        throw new InvalidInputException(
            $"the built-in model ({Path.Combine("assets", "demo", WeightsFile)}) was not found next to the program or above the current folder; " +
            "regenerate it with the command in assets/demo/README.md");
    }
}
