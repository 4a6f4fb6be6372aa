using Dspt.Clip;

namespace Dspt.Bench;

/// <summary>
/// Analytic FLOPs (2 per multiply-add) of one CoOp training step on the text side. The CLIP
/// weights are frozen, so the backward pass computes input gradients only: 1x the forward
/// FLOPs for the linear layers (one matmul per weight instead of two) and 2x for the
/// attention matmuls (QK^T and AV each need two). Per token and layer the linear layers cost
/// 24 W^2 forward (qkv 6, out 2, MLP 16); attention costs 4 W per query-key pair.
/// Norms, activations, softmax, the embedding and the logits are left out (well under 1 %).
/// </summary>
public static class TrainStepFlops
{
    /// <summary>
    /// What a variant computes per step: per-token layers over <paramref name="rows"/> token
    /// positions (the out-projection over <paramref name="outProjectionRows"/>, which includes a
    /// packed layout's empty slots) and <paramref name="attentionPairs"/> query-key pairs per
    /// layer (masked pairs included, as the kernels compute them).
    /// Plain CoOp: K x 77 rows and, with the causal kernel, K x 77 x 78 / 2 pairs.
    /// </summary>
    public static double Computed(ClipConfig c, int classes, long rows, long outProjectionRows, long attentionPairs)
    {
        double w = c.TransformerWidth, layers = c.TransformerLayers;
        double linear = layers * (22 * rows + 2 * outProjectionRows) * w * w;
        double attention = layers * 4.0 * attentionPairs * w;
        return 2 * linear + 3 * attention + Projection(c, classes);
    }

    /// <summary>
    /// The least any exact implementation must compute: the prefix (SOT + context, P tokens)
    /// once; each class only its own tokens up to its EOT (no padding); causal attention over
    /// the lower triangle only; in the last layer only the keys/values of every token plus the
    /// query, attention, out-projection and MLP of the EOT token that is read. Not subtracted:
    /// the gradients of layer 0's constant suffix projections (a few percent).
    /// </summary>
    public static double Floor(ClipConfig c, int prefix, IReadOnlyList<int> eotPositions)
    {
        double w = c.TransformerWidth, layers = c.TransformerLayers, p = prefix;
        double linear = (layers - 1) * 24 * p * w * w + 4 * p * w * w;
        double attention = (layers - 1) * 2.0 * w * p * (p + 1);
        foreach (int eot in eotPositions)
        {
            double s = eot + 1 - p;
            linear += (layers - 1) * 24 * s * w * w + 4 * s * w * w + 20 * w * w;
            // Suffix query i (0-based) attends to P + i + 1 keys.
            attention += (layers - 1) * 4.0 * w * (s * p + s * (s + 1) / 2) + 4.0 * w * (p + s);
        }
        return 2 * linear + 3 * attention + Projection(c, eotPositions.Count);
    }

    /// <summary>ln_final output times text_projection at EOT, forward and backward.</summary>
    static double Projection(ClipConfig c, int classes) => 2 * 2.0 * classes * c.TransformerWidth * c.EmbedDim;
}
