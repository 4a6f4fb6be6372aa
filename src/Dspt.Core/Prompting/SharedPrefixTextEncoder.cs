using Dspt.Clip;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// CLIP's text tower for K prompts that share their first P tokens (SOT + a unified context).
/// Causal attention makes the hidden states of positions 0..P-1 independent of what follows, so
/// they are computed once (batch 1) and every class's remaining tokens attend to the prefix's
/// keys/values of each layer plus their own, causally. Same modules and weights as
/// <see cref="ClipModel.EncodeTextEmbeddings"/>, same result up to float32 reassociation; the
/// gradient reaches the context both directly (prefix hidden states) and through the keys and
/// values every class reads.
/// </summary>
public static class SharedPrefixTextEncoder
{
    /// <param name="prefix">(1, P, W) token embeddings of the shared prefix.</param>
    /// <param name="suffix">(K, S, W) token embeddings of positions P..P+S-1 of each prompt.</param>
    /// <param name="eotInSuffix">(K) each prompt's EOT position minus P.</param>
    /// <returns>(K, embed) text features.</returns>
    public static Tensor Encode(ClipModel clip, Tensor prefix, Tensor suffix, Tensor eotInSuffix)
    {
        using var scope = NewDisposeScope();
        long p = prefix.shape[1], s = suffix.shape[1], k = suffix.shape[0];
        var positional = clip.PositionalEmbedding.to(suffix.dtype);
        var xp = prefix + positional.narrow(0, 0, p);
        var xs = suffix + positional.narrow(0, p, s);
        var mask = SuffixMask(p, s, suffix.device);
        var blocks = clip.TextTransformer.Blocks;
        for (int i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            var attention = block.Attention;
            var (qp, kp, vp) = attention.ProjectQkv(block.Norm1.forward(xp));
            var (qs, ks, vs) = attention.ProjectQkv(block.Norm1.forward(xs));
            var keys = cat([kp.expand(k, -1, -1, -1), ks], 2);
            var values = cat([vp.expand(k, -1, -1, -1), vs], 2);
            xs = xs + attention.Attend(qs, keys, values, causal: false, mask);
            xs = xs + block.Mlp.forward(block.Norm2.forward(xs));
            // The prefix's output of the last layer is never read: only its keys/values are.
            if (i == blocks.Count - 1) break;
            xp = xp + attention.Attend(qp, kp, vp, causal: true);
            xp = xp + block.Mlp.forward(block.Norm2.forward(xp));
        }
        return clip.ProjectAtEot(xs, eotInSuffix).MoveToOuterDisposeScope();
    }

    /// <summary>(S, P + S) boolean, true where suffix query i may attend: every prefix key and suffix keys j &lt;= i.</summary>
    static Tensor SuffixMask(long p, long s, Device device)
    {
        using var scope = NewDisposeScope();
        var causal = ones(s, s, ScalarType.Bool, device).tril();
        return cat([ones(s, p, ScalarType.Bool, device), causal], 1).MoveToOuterDisposeScope();
    }
}
