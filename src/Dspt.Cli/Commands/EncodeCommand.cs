using System.CommandLine;
using Dspt.IO;
using Dspt.Imaging;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Cli.Commands;

public static class EncodeCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var texts = new Option<string[]>("--text") { Description = "texts to encode (repeatable)", AllowMultipleArgumentsPerToken = true };
        var images = new Option<string[]>("--image") { Description = "image files to encode (repeatable)", AllowMultipleArgumentsPerToken = true };
        var truncate = new Option<bool>("--truncate") { Description = "truncate over-long texts as clip.tokenize(truncate=True)" };
        var batch = new Option<int>("--batch-size") { Description = "items per forward pass", DefaultValueFactory = _ => 32 };
        var output = CommonOptions.Out("output .safetensors (float32 text_features, image_features)", required: true);
        var command = new Command("encode", "encode_text / encode_image features of texts and images, as CLIP returns them (unnormalised)")
        {
            texts, images, truncate, batch, output,
        };
        CommonOptions.AddAll(command, models.All);
        command.SetAction(parse =>
        {
            models.ApplyThreads(parse);
            var textList = parse.GetValue(texts) ?? [];
            var imageList = parse.GetValue(images) ?? [];
            if (textList.Length == 0 && imageList.Length == 0)
                throw new InvalidInputException("encode: give at least one --text or --image");
            int batchSize = parse.GetValue(batch);
            CommonOptions.AtLeast(batch.Name, batchSize, 1);
            using var loaded = models.Load(parse);
            var clip = loaded.Model;
            var dev = clip.TextProjection.device;
            var result = new Dictionary<string, Tensor>();
            using var _ = inference_mode();
            if (textList.Length > 0)
            {
                var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(models.Vocab), parse.GetValue(models.Model)));
                using var tokens = tokenizer.TokenizeBatch(textList, clip.Config.ContextLength, parse.GetValue(truncate));
                result["text_features"] = InBatches(textList.Length, batchSize,
                    (start, n) => clip.EncodeText(tokens.narrow(0, start, n).to(dev)));
            }
            if (imageList.Length > 0)
            {
                var transform = new ClipTransform(clip.Config.ImageResolution);
                result["image_features"] = InBatches(imageList.Length, batchSize, (start, n) =>
                {
                    using var pixels = transform.ApplyBatch([.. imageList.Skip(start).Take(n).Select(p => ImageDecoder.Decode(p))]);
                    return clip.EncodeImage(pixels.to(dev));
                });
            }
            Safetensors.Save(parse.GetValue(output)!, result, new Dictionary<string, string>
            {
                ["model"] = loaded.Info.WeightsFile,
                ["model_sha256"] = loaded.Info.Sha256,
                ["texts"] = System.Text.Json.JsonSerializer.Serialize(textList),
                ["images"] = System.Text.Json.JsonSerializer.Serialize(imageList),
            });
            foreach (var t in result.Values) t.Dispose();
            parse.InvocationConfiguration.Output.WriteLine(
                $"wrote {parse.GetValue(output)}: {string.Join(", ", result.Keys.Select(k => $"{k} [{(k == "text_features" ? textList.Length : imageList.Length)}, {clip.Config.EmbedDim}]"))}");
            return 0;
        });
        return command;
    }

    static Tensor InBatches(int count, int batchSize, Func<int, int, Tensor> encode)
    {
        var parts = new List<Tensor>();
        for (int start = 0; start < count; start += batchSize)
            parts.Add(encode(start, Math.Min(batchSize, count - start)).to(ScalarType.Float32).cpu());
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }
}
