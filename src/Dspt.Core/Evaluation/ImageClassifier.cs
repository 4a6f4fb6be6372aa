using Dspt.Clip;
using Dspt.Imaging;
using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Evaluation;

/// <summary>One classified image: its most probable classes, most probable first.</summary>
public sealed record ImageScores(string Path, IReadOnlyList<(string Label, float Probability)> Top);

/// <summary>
/// `dspt classify`: scores image files against a set of classes, either zero-shot (CLIP's text
/// features of a template) or with a saved prompt of any learner (through <see cref="IPromptModel"/>:
/// image features, or pixels for learners that prompt the image tower). A file that cannot be
/// decoded is reported and skipped, not fatal. Images are encoded one at a time, as the feature
/// extractor does, so a file's scores do not depend on which other files are in the batch.
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    public static readonly IReadOnlyList<string> ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    readonly ClipModel clip;
    readonly Tensor? textFeatures;
    readonly IPromptModel? prompt;
    readonly ClipTransform transform;

    ImageClassifier(ClipModel clip, IReadOnlyList<string> classNames, Tensor? textFeatures, IPromptModel? prompt)
    {
        this.clip = clip;
        ClassNames = classNames;
        this.textFeatures = textFeatures;
        this.prompt = prompt;
        transform = new ClipTransform(clip.Config.ImageResolution);
    }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Zero-shot CLIP: each class as <paramref name="template"/> ({} is the class name).</summary>
    public static ImageClassifier ZeroShot(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, string template)
    {
        using var _ = inference_mode();
        var text = CoOpPrompts.ZeroShotFeatures(clip, tokenizer, classNames, template, clip.TextProjection.device);
        return new ImageClassifier(clip, classNames, text.DetachFromDisposeScope(), null);
    }

    /// <summary>A saved prompt's learner (the caller keeps ownership of it and of the model).</summary>
    public static ImageClassifier WithPrompt(ClipModel clip, IPromptModel prompt, IReadOnlyList<string> classNames) =>
        new(clip, classNames, null, prompt);

    /// <summary>
    /// Classifies <paramref name="files"/> in order, <paramref name="batch"/> at a time, calling
    /// <paramref name="classified"/> per image and <paramref name="skipped"/> (file, reason) per
    /// file that is not a decodable image. Returns (classified, skipped) counts.
    /// </summary>
    public (int Classified, int Skipped) Classify(IReadOnlyList<string> files, int topK, Action<ImageScores> classified,
        Action<string, string> skipped, int batch = 32, CancellationToken cancellation = default)
    {
        int k = Math.Clamp(topK, 1, ClassNames.Count);
        int done = 0, bad = 0;
        for (int start = 0; start < files.Count; start += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var chunk = new List<string>();
            var pixels = new List<Tensor>();
            foreach (var file in files.Skip(start).Take(batch))
            {
                try
                {
                    pixels.Add(transform.Apply(ImageDecoder.Decode(file)).unsqueeze(0));
                    chunk.Add(file);
                }
                catch (InvalidInputException e)
                {
                    bad++;
                    skipped(file, e.Message);
                }
            }
            if (chunk.Count == 0) continue;
            var (values, indices) = Probabilities(pixels).topk(k, dim: 1);
            var p = values.data<float>().ToArray();
            var ix = indices.data<long>().ToArray();
            for (int i = 0; i < chunk.Count; i++)
                classified(new ImageScores(chunk[i], [.. Enumerable.Range(0, k).Select(j => (ClassNames[(int)ix[i * k + j]], p[i * k + j]))]));
            done += chunk.Count;
        }
        return (done, bad);
    }

    /// <summary>(N, K) float32 CPU class probabilities of the (1, 3, R, R) pixel tensors.</summary>
    Tensor Probabilities(IReadOnlyList<Tensor> pixels)
    {
        using var _ = inference_mode();
        var device = clip.TextProjection.device;
        Tensor logits;
        if (prompt is { ConsumesPixels: true })
            logits = prompt.Forward(cat([.. pixels], 0).to(device)).Logits;
        else
        {
            var features = cat([.. pixels.Select(x => clip.EncodeImage(x.to(device)))], 0);
            logits = prompt is null
                ? clip.Logits(features, textFeatures!)
                : prompt.Forward(features.to(ScalarType.Float32)).Logits;
        }
        return logits.to(ScalarType.Float32).softmax(-1).cpu();
    }

    /// <summary>
    /// The image files named by <paramref name="inputs"/>: files as given, folders searched
    /// recursively for image extensions (sorted). A missing path or a folder without images is an error.
    /// </summary>
    public static List<string> ExpandImages(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new InvalidInputException($"{input}: folder holds no images ({string.Join(", ", ImageExtensions)})");
                files.AddRange(found);
            }
            else if (File.Exists(input)) files.Add(input);
            else throw new InvalidInputException($"{input}: no such image file or folder");
        }
        return files;
    }

    public void Dispose() => textFeatures?.Dispose();
}
