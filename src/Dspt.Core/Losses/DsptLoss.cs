using static TorchSharp.torch;

namespace Dspt.Losses;

/// <summary>
/// DSPT: cross-entropy applied to the softmax probabilities (a second softmax),
/// <c>L = -p_y + log sum_j exp(p_j)</c> (method.md section 2; the definition this project adopts,
/// hyperparameter-free). Bounded in [log(e + C - 1) - 1, log(e + C - 1)], never 0.
/// Gradient: with g = softmax(p) - e_y (the CE gradient wrt p) and dp_j/dz_i = p_j (d_ij - p_i),
/// dL/dz_i = p_i (g_i - sum_k p_k g_k). When p_y -> 0 with the mass on another class c, p_i -> 0
/// for i != c and g_c - sum_k p_k g_k -> 0 for i = c, so every component vanishes: confidently
/// mislabeled samples stop teaching (magnitude close to MAE's, see method.md's table).
/// </summary>
public sealed class DsptLoss : IPromptLoss
{
    public string Name => "dspt";

    public Tensor PerSample(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var p = softmax(logits, 1);
        var py = p.gather(1, labels.unsqueeze(1)).squeeze(1);
        return (p.logsumexp(1) - py).MoveToOuterDisposeScope();
    }
}
