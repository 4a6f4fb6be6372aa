using System.Globalization;
using System.Text;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Evaluation;

/// <summary>One scored image: what the data says, what the prompt predicts and its top classes.</summary>
/// <param name="Path">the item's path relative to the dataset root (or its built-in id)</param>
/// <param name="Given">the label the data gives</param>
/// <param name="True">the real class where it is known independently of <paramref name="Given"/> (a training shot's clean label under synthetic noise, the built-in world's classes), else null</param>
/// <param name="Top">the <see cref="Predictions.TopK"/> most probable classes, most probable first (the first is the prediction)</param>
public sealed record Prediction(string Path, int Given, int? True, IReadOnlyList<(int Label, float Probability)> Top)
{
    public int Predicted => Top[0].Label;
    public float Probability => Top[0].Probability;
}

/// <summary>
/// predictions.csv: one row per scored image (split, path, given_label, true_label, predicted,
/// probability, top5), class names as labels, probabilities from the softmax of the logits;
/// top5 is "class:probability" pairs separated by ';'. Written by `dspt eval` and `dspt train`.
/// </summary>
public static class Predictions
{
    public const string FileName = "predictions.csv";
    public const int TopK = 5;
    public const string Header = "split,path,given_label,true_label,predicted,probability,top5";

    /// <param name="logits">(N, K) logits of the items, in item order</param>
    /// <param name="truth">per item the independently known class, or null; null: none known</param>
    public static IReadOnlyList<Prediction> FromLogits(Tensor logits, IReadOnlyList<string> paths, IReadOnlyList<int> given, IReadOnlyList<int?>? truth = null)
    {
        if (logits.dim() != 2 || logits.shape[0] != paths.Count || given.Count != paths.Count || (truth is not null && truth.Count != paths.Count))
            throw new ArgumentException($"logits [{string.Join(", ", logits.shape)}] do not fit {paths.Count} paths and {given.Count} labels");
        using var scope = NewDisposeScope();
        int k = (int)Math.Min(TopK, logits.shape[1]);
        var (values, indices) = logits.to(ScalarType.Float32).softmax(-1).topk(k, dim: 1);
        var p = values.cpu().data<float>().ToArray();
        var ix = indices.cpu().data<long>().ToArray();
        return [.. Enumerable.Range(0, paths.Count).Select(i => new Prediction(paths[i], given[i], truth?[i],
            [.. Enumerable.Range(0, k).Select(j => ((int)ix[i * k + j], p[i * k + j]))]))];
    }

    /// <summary>Rows for dataset items; the built-in world's labels are its real classes (it drew them), a file dataset's are only given.</summary>
    /// <param name="dataset">the dataset's address (a path, or builtin:TASK)</param>
    public static IReadOnlyList<Prediction> ForItems(Tensor logits, IReadOnlyList<Data.DataItem> items, string dataset) =>
        FromLogits(logits, [.. items.Select(i => i.Path)], [.. items.Select(i => i.Label)],
            Builtin.BuiltinDataset.Is(dataset) ? [.. items.Select(i => (int?)i.Label)] : null);

    /// <summary>Rows for a run's training shots: given labels after noise; the clean ones are known where the noise was synthetic (or the world's).</summary>
    public static IReadOnlyList<Prediction> ForShots(Tensor logits, IReadOnlyList<Data.NoisyItem> items, bool cleanKnown) =>
        FromLogits(logits, [.. items.Select(i => i.Path)], [.. items.Select(i => i.Label)],
            cleanKnown ? [.. items.Select(i => (int?)i.CleanLabel)] : null);

    public static string ToCsv(string split, IEnumerable<Prediction> rows, IReadOnlyList<string> classNames) =>
        ToCsv([(split, rows)], classNames);

    public static string ToCsv(IEnumerable<(string Split, IEnumerable<Prediction> Rows)> splits, IReadOnlyList<string> classNames)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var (split, rows) in splits)
        foreach (var r in rows)
            sb.Append(Field(split)).Append(',').Append(Field(r.Path)).Append(',').Append(Field(classNames[r.Given])).Append(',')
              .Append(r.True is int t ? Field(classNames[t]) : "").Append(',').Append(Field(classNames[r.Predicted])).Append(',')
              .Append(F(r.Probability)).Append(',')
              .Append(Field(string.Join(";", r.Top.Select(c => $"{classNames[c.Label]}:{F(c.Probability)}"))))
              .Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes <see cref="FileName"/> into <paramref name="directory"/> atomically.</summary>
    public static string Write(string directory, string split, IEnumerable<Prediction> rows, IReadOnlyList<string> classNames) =>
        Write(directory, [(split, rows)], classNames);

    /// <summary>Writes the splits' rows, in the order given, into <see cref="FileName"/> in <paramref name="directory"/> atomically.</summary>
    public static string Write(string directory, IEnumerable<(string Split, IEnumerable<Prediction> Rows)> splits, IReadOnlyList<string> classNames)
    {
        Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, FileName);
        AtomicFile.WriteAllText(path, ToCsv(splits, classNames));
        return path;
    }

    static string F(float p) => p.ToString("0.######", CultureInfo.InvariantCulture);

    static string Field(string text) => text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";
}
