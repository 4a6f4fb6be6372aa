using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// Prompt tokens a learner puts into one of CLIP's towers, layer by layer: the one mechanism
/// through which deep prompting (VPT, MaPLe) reaches the model, so the model code is never
/// forked. Sequences are batch-first (N, L, W). Default: no change.
/// </summary>
public interface ILayerPrompts
{
    /// <summary>The tokens after the embedding (positional embedding added), before ln_pre (image tower) or the first block (text tower).</summary>
    Tensor Embedded(Tensor x) => x;

    /// <summary>The input of block <paramref name="layer"/> (0-based): deep prompts replace the previous block's outputs at their positions.</summary>
    Tensor BeforeBlock(int layer, Tensor x) => x;
}

/// <summary>
/// Prompt tokens at a fixed place of the sequence: <paramref name="count"/> tokens starting at
/// <paramref name="start"/> (negative: counted from the end, e.g. -n for the last n).
/// <paramref name="appended"/> (count, W), if given, is appended after the embedding (VPT's and
/// MaPLe's layer-0 vision prompts); <paramref name="deep"/>[j] (count, W) replaces the tokens
/// at that place before block j + 1 (deep prompts up to depth deep.Count + 1), each expanded
/// over the batch. Text deep prompts (MaPLe) replace positions 1..count (after SOT).
/// </summary>
public sealed class DeepPrompts(int start, int count, Tensor? appended, IReadOnlyList<Tensor> deep) : ILayerPrompts
{
    public Tensor Embedded(Tensor x) =>
        appended is null ? x : cat([x, appended.to(x.dtype).unsqueeze(0).expand(x.shape[0], -1, -1)], 1);

    public Tensor BeforeBlock(int layer, Tensor x)
    {
        if (layer < 1 || layer > deep.Count) return x;
        long length = x.shape[1], from = start < 0 ? length + start : start;
        if (from < 0 || from + count > length)
            throw new ArgumentException($"deep prompts at {start} ({count} tokens) do not fit a sequence of {length}");
        var prompts = deep[layer - 1].to(x.dtype).unsqueeze(0).expand(x.shape[0], -1, -1);
        return cat([x.narrow(1, 0, from), prompts, x.narrow(1, from + count, length - from - count)], 1);
    }
}
