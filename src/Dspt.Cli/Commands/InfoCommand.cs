using System.CommandLine;
using System.Text.Json;
using Dspt.Clip;

namespace Dspt.Cli.Commands;

public static class InfoCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("model") { Description = "a CLIP checkpoint file or Hugging Face folder" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("info", "Architecture, parameter count and stored dtypes of a CLIP checkpoint") { path, json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            using var loaded = ClipLoading.Load(parse.GetValue(path)!);
            var (model, info) = (loaded.Model, loaded.Info);
            var c = model.Config;
            var summary = new
            {
                path = info.Path,
                format = info.Format.ToString(),
                weights_file = info.WeightsFile,
                sha256 = info.Sha256,
                tensors_sha256 = info.TensorsSha256,
                architecture = c.IsVit ? "ViT" : "ModifiedResNet",
                description = c.Architecture,
                parameters = model.ParameterCount(),
                stored_dtypes = info.OriginalDTypes,
                compute_dtype = model.DType.ToString(),
                config = new
                {
                    embed_dim = c.EmbedDim, image_resolution = c.ImageResolution, vision_layers = c.VisionLayers,
                    vision_width = c.VisionWidth, vision_patch_size = c.VisionPatchSize, vision_heads = c.VisionHeads,
                    context_length = c.ContextLength, vocab_size = c.VocabSize, transformer_width = c.TransformerWidth,
                    transformer_heads = c.TransformerHeads, transformer_layers = c.TransformerLayers,
                },
                logit_scale = Math.Exp(model.LogitScale.item<float>()),
            };
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            output.WriteLine($"file          {info.WeightsFile} ({info.Format})");
            output.WriteLine($"sha256        {info.Sha256}");
            output.WriteLine($"tensors       sha256 {info.TensorsSha256} (the weights, in any file format)");
            output.WriteLine($"architecture  {c.Architecture}");
            output.WriteLine($"text          {c.TransformerLayers} layers, width {c.TransformerWidth}, {c.TransformerHeads} heads, context {c.ContextLength}, vocab {c.VocabSize}");
            output.WriteLine($"embedding     {c.EmbedDim}");
            output.WriteLine($"parameters    {model.ParameterCount():N0}");
            output.WriteLine($"stored dtypes {string.Join(", ", info.OriginalDTypes.Select(kv => $"{kv.Key} x{kv.Value}"))}");
            output.WriteLine($"logit scale   {summary.logit_scale:F4}");
            return 0;
        });
        return command;
    }
}
