using static TorchSharp.torch;

namespace Dspt.Evaluation;

/// <summary>Scores predictions against labels: top-1, per-class accuracy, confusion matrix.</summary>
public static class Evaluator
{
    /// <param name="logits">(N, K); the prediction is the argmax of each row (first index on ties, as torch).</param>
    public static EvaluationResult FromLogits(string name, Tensor logits, IReadOnlyList<long> labels, IReadOnlyList<string> classNames)
    {
        if (logits.dim() != 2 || logits.shape[0] != labels.Count || logits.shape[1] != classNames.Count)
            throw new ArgumentException($"logits [{string.Join(", ", logits.shape)}] do not fit {labels.Count} labels and {classNames.Count} classes");
        using var argmax = logits.argmax(1).cpu();
        return FromPredictions(name, argmax.data<long>().ToArray(), labels, classNames);
    }

    public static EvaluationResult FromPredictions(string name, IReadOnlyList<long> predicted, IReadOnlyList<long> labels, IReadOnlyList<string> classNames)
    {
        if (predicted.Count != labels.Count)
            throw new ArgumentException($"{predicted.Count} predictions but {labels.Count} labels");
        if (labels.Count == 0)
            throw new InvalidInputException($"{name}: nothing to evaluate, the split is empty");
        int k = classNames.Count;
        var confusion = Enumerable.Range(0, k).Select(_ => new long[k]).ToArray();
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= k || predicted[i] < 0 || predicted[i] >= k)
                throw new ArgumentException($"sample {i}: label {labels[i]} / prediction {predicted[i]} outside [0, {k})");
            confusion[labels[i]][predicted[i]]++;
        }
        var perClass = Enumerable.Range(0, k).Select(c =>
        {
            long total = confusion[c].Sum();
            return new ClassAccuracy(c, classNames[c], (int)total, (int)confusion[c][c], total > 0 ? 100.0 * confusion[c][c] / total : null);
        }).ToList();
        int correct = perClass.Sum(c => c.Correct);
        return new EvaluationResult(name, labels.Count, correct, 100.0 * correct / labels.Count,
            perClass.Where(c => c.Accuracy is not null).Average(c => c.Accuracy!.Value), perClass, confusion);
    }
}
