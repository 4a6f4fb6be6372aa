using static TorchSharp.torch;

namespace Dspt.Evaluation;

/// <summary>Top-1 accuracy: the argmax of each row of the logits (first index on ties, as torch) against the label.</summary>
public static class TopOne
{
    /// <summary>How many rows of <paramref name="logits"/> (N, K) predict their label (N).</summary>
    public static long Hits(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return logits.argmax(1).eq(labels.to(logits.device)).sum().item<long>();
    }

    /// <summary>Top-1 in percent.</summary>
    public static double Percent(Tensor logits, IReadOnlyList<long> labels)
    {
        using var truth = tensor(labels.ToArray());
        return 100.0 * Hits(logits, truth) / labels.Count;
    }
}
