using System.Text.Json;
using Dspt.Imaging;
using Dspt.IO;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Clip;

/// <summary>`dspt info`, `encode` and `classify` on the fixture models, in each file form.</summary>
public class ClipCommandsTests
{
    static string Vocab => Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz");

    public static TheoryData<string, string> VitForms => new()
    {
        { "vit-tiny", "weights.openai.safetensors" },
        { "vit-tiny", "model.state_dict.pt" },
        { "vit-tiny", "model.jit.pt" },
        { "vit-tiny", "hf" },
        { "rn-tiny", "weights.openai.safetensors" },
    };

    static string[] RefTexts(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Repo.Fixture("clip-models", model, "manifest.json")));
        return [.. doc.RootElement.GetProperty("refs").GetProperty("texts").EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>The refs' images are CLIP-normalised crops at the model's resolution; round((x*std+mean)*255) recovers their exact uint8 pixels (fixture README), so PNGs of them pass the transform unchanged.</summary>
    static List<string> WriteRefImages(Tensor images, TempDir dir)
    {
        var mean = tensor(ClipNormalization.Mean.ToArray()).view(3, 1, 1);
        var std = tensor(ClipNormalization.Std.ToArray()).view(3, 1, 1);
        var paths = new List<string>();
        for (int i = 0; i < images.shape[0]; i++)
        {
            var u8 = ((images[i] * std + mean) * 255).round().clamp(0, 255).to(ScalarType.Byte).permute(1, 2, 0).contiguous();
            int h = (int)u8.shape[0], w = (int)u8.shape[1];
            var rgba = new byte[h * w * 4];
            var rgb = u8.data<byte>().ToArray();
            for (int p = 0; p < h * w; p++)
            {
                rgba[4 * p] = rgb[3 * p]; rgba[4 * p + 1] = rgb[3 * p + 1]; rgba[4 * p + 2] = rgb[3 * p + 2]; rgba[4 * p + 3] = 255;
            }
            using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            string path = dir[$"ref{i}.png"];
            using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(path, data.ToArray());
            paths.Add(path);
        }
        return paths;
    }

    [Theory]
    [MemberData(nameof(VitForms))]
    [Trait("Category", "Slow")]
    public void EncodeReproducesTheReferenceFeaturesFromEveryFileForm(string model, string form)
    {
        var dir = Repo.Fixture("clip-models", model);
        var refs = Safetensors.Load(Path.Combine(dir, "refs.safetensors"));
        using var tmp = Repo.Temp();
        var images = WriteRefImages(refs["images"], tmp);
        Cli.Ok(["encode", "--model", Path.Combine(dir, form), "--vocab", Vocab, "--out", tmp["f.safetensors"],
            "--text", .. RefTexts(model), "--image", .. images]);
        var features = Safetensors.Load(tmp["f.safetensors"]);
        // Manifest tolerances (see ClipModelTests.Models).
        double atolImage = model == "rn-tiny" ? 2e-3 : 2e-5, atolText = model == "rn-tiny" ? 6e-5 : 5e-5;
        TensorAssert.Close(refs["encode_text"], features["text_features"], atolText, 1e-4, "text_features");
        TensorAssert.Close(refs["encode_image"], features["image_features"], atolImage, 1e-4, "image_features");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void EveryFileFormGivesIdenticalFeatures()
    {
        var dir = Repo.Fixture("clip-models", "vit-tiny");
        using var tmp = Repo.Temp();
        var texts = RefTexts("vit-tiny");
        Tensor? first = null;
        foreach (var form in new[] { "weights.openai.safetensors", "model.state_dict.pt", "model.jit.pt", "hf" })
        {
            Cli.Ok(["encode", "--model", Path.Combine(dir, form), "--vocab", Vocab, "--out", tmp[$"{form}.safetensors"], "--text", .. texts]);
            var t = Safetensors.Load(tmp[$"{form}.safetensors"])["text_features"];
            if (first is null) first = t;
            else Assert.True(first.equal(t).all().item<bool>(), $"{form} differs from weights.openai.safetensors");
        }
    }

    [Theory]
    [InlineData("vit-tiny", "weights.openai.safetensors", 7171201, "ViT")]
    [InlineData("vit-tiny", "model.jit.pt", 7171201, "ViT")]
    [InlineData("vit-tiny", "hf", 7171201, "ViT")]
    [InlineData("rn-tiny", "weights.openai.safetensors", 11972465, "ModifiedResNet")]
    [Trait("Category", "Slow")]
    public void InfoReportsTheManifestsParameterCount(string model, string form, long parameters, string architecture)
    {
        var json = JsonDocument.Parse(Cli.Ok("info", Repo.Fixture("clip-models", model, form), "--json")).RootElement;
        Assert.Equal(parameters, json.GetProperty("parameters").GetInt64());
        Assert.Equal(architecture, json.GetProperty("architecture").GetString());
        Assert.Equal(64, json.GetProperty("config").GetProperty("embed_dim").GetInt32());
        Assert.Contains("parameters", Cli.Ok("info", Repo.Fixture("clip-models", model, form)));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ClassifyRanksClassesByTheModelsProbabilities()
    {
        var dir = Repo.Fixture("clip-models", "vit-tiny");
        var refs = Safetensors.Load(Path.Combine(dir, "refs.safetensors"));
        using var tmp = Repo.Temp();
        var images = WriteRefImages(refs["images"], tmp);
        string[] classes = ["dog", "golden retriever", "Boeing 737-800", "AnnualCrop"];
        var lines = Cli.Ok(["classify", "--model", Path.Combine(dir, "weights.openai.safetensors"), "--vocab", Vocab,
            "--classes", string.Join(",", classes), "--template", "a photo of a {}.", "--json", "--top-k", "2", .. images])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(images.Count, lines.Length);

        // Independent computation: the fixture's tokens for "a photo of a dog." etc. are not all
        // present, so encode prompts in-process and compare the ranking.
        using var model = Dspt.Clip.ClipModel.FromStateDict(Safetensors.Load(Path.Combine(dir, "weights.openai.safetensors")), "vit-tiny");
        var tok = Dspt.Text.ClipTokenizer.Load(Vocab);
        using var _ = no_grad();
        var probs = model.Logits(model.EncodeImage(refs["images"]),
            model.EncodeText(tok.TokenizeBatch([.. classes.Select(c => $"a photo of a {c}.")]))).softmax(-1);
        for (int i = 0; i < images.Count; i++)
        {
            var row = JsonDocument.Parse(lines[i]).RootElement;
            var top = row.GetProperty("top").EnumerateArray().ToList();
            Assert.Equal(2, top.Count);
            int best = (int)probs[i].argmax().item<long>();
            Assert.Equal(classes[best], top[0].GetProperty("label").GetString());
            Assert.Equal(probs[i, best].item<float>(), top[0].GetProperty("probability").GetSingle(), 5);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void BadInputsExitWithTwoAndNameTheProblem()
    {
        var model = Repo.Fixture("clip-models", "vit-tiny", "weights.openai.safetensors");
        using var tmp = Repo.Temp();

        var (code, _, err) = Cli.Run("encode", "--model", model, "--vocab", Vocab, "--out", tmp["x.safetensors"]);
        Assert.Equal(2, code);
        Assert.Contains("at least one --text or --image", err);

        (code, _, err) = Cli.Run("encode", "--model", tmp["missing.pt"], "--vocab", Vocab, "--out", tmp["x.safetensors"], "--text", "a");
        Assert.Equal(2, code);
        Assert.Contains("missing.pt", err);

        File.WriteAllBytes(tmp["broken.png"], [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        (code, _, err) = Cli.Run("encode", "--model", model, "--out", tmp["x.safetensors"], "--image", tmp["broken.png"]);
        Assert.Equal(2, code);
        Assert.Contains("broken.png", err);

        (code, _, err) = Cli.Run("encode", "--model", model, "--out", tmp["x.safetensors"], "--text", "a dog");
        Assert.Equal(2, code);
        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", err);

        (code, _, err) = Cli.Run("encode", "--model", model, "--vocab", Vocab, "--out", tmp["x.safetensors"], "--text", string.Join(" ", Enumerable.Repeat("dog", 80)));
        Assert.Equal(2, code);
        Assert.Contains("too long", err);

        (code, _, err) = Cli.Run("classify", "--model", model, "--vocab", Vocab, "--classes", "cat", tmp.Path);
        Assert.Equal(2, code);
        Assert.Contains("at least two class names", err);

        (code, _, err) = Cli.Run("info", tmp["broken.png"]);
        Assert.Equal(2, code);
        Assert.Contains("broken.png", err);
        Assert.False(File.Exists(tmp["x.safetensors"]));
    }
}
