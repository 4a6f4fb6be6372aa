using Dspt.Clip;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// CLIP's text tower over K prompts packed without padding: an optional shared prefix of P
/// tokens (SOT + a unified context, identical in every prompt) stored once, then each class's
/// own tokens up to its EOT (or further, when asked to run them). Causal attention read at EOT
/// makes this exact: tokens after a prompt's EOT never reach it, and positions 0..P-1 have the
/// same hidden states in every prompt, so every class attends to the one prefix's keys/values.
/// <para>
/// Per-token work (LayerNorms, projections, MLP) runs on one (rows, W) matrix. Attention runs
/// on a grid of groups of <see cref="GroupTokens"/> slots: the prefix opens group 0 (causal
/// over itself), then consecutive classes fill the groups; each class's queries attend to the
/// prefix's keys (the first P slots of group 0, broadcast to every group) plus, causally, their
/// own class's keys (a block mask). Grouping keeps the attention matrices few and the FLOPs
/// wasted on masked pairs small.
/// </para>
/// Gradients reach the prefix (the context) through its own rows and through the keys/values
/// every group reads. Uses the model's own modules, so weights are shared.
/// </summary>
public sealed class PackedTextEncoder : IDisposable
{
    /// <summary>Slots per attention group (more when a single prompt needs them).</summary>
    public const int GroupTokens = 64;

    readonly ClipModel clip;
    readonly int prefix;
    readonly Tensor gridIndex;   // grid slot -> packed row (row 0 for an empty slot: never attended, output dropped)
    readonly Tensor slotOfRow;   // packed row -> grid slot
    readonly Tensor mask;        // (groups, 1, slots, prefix + slots), true = may attend
    readonly Tensor eotRows;     // (K) packed row of each class's EOT

    /// <param name="prefixLength">P, 0 for none.</param>
    /// <param name="classLengths">Tokens each class contributes after the prefix.</param>
    /// <param name="readPositions">Where among its own tokens each class's EOT (the feature read) is.</param>
    public PackedTextEncoder(ClipModel clip, int prefixLength, IReadOnlyList<int> classLengths, IReadOnlyList<int> readPositions)
    {
        for (int k = 0; k < classLengths.Count; k++)
            if (readPositions[k] < 0 || readPositions[k] >= classLengths[k])
                throw new ArgumentException($"class {k}: read position {readPositions[k]} outside its {classLengths[k]} tokens");
        this.clip = clip;
        prefix = prefixLength;
        var groups = new List<List<(int Start, int Length)>>();   // runs of rows of one class (or the prefix)
        var rowStarts = new int[classLengths.Count];
        int row = prefixLength;
        for (int k = 0; k < classLengths.Count; k++) { rowStarts[k] = row; row += classLengths[k]; }
        Rows = row;
        int slots = Math.Max(GroupTokens, Math.Max(prefixLength, classLengths.Max()));
        // The prefix opens group 0; classes fill the rest of it and the following groups.
        if (prefixLength > 0) groups.Add([(0, prefixLength)]);
        int used = prefixLength > 0 ? prefixLength : slots;
        for (int k = 0; k < classLengths.Count; k++)
        {
            if (used + classLengths[k] > slots) { groups.Add([]); used = 0; }
            groups[^1].Add((rowStarts[k], classLengths[k]));
            used += classLengths[k];
        }
        GroupCount = groups.Count;
        Slots = slots;

        var grid = new long[GroupCount * slots];
        var slotOf = new long[Rows];
        var allowed = new bool[GroupCount, slots, prefixLength + slots];
        for (int g = 0; g < GroupCount; g++)
        {
            int slot = 0;
            foreach (var (start, length) in groups[g])
            {
                // The prefix attends causally to itself only; a class to the prefix and causally to itself.
                bool isPrefix = prefixLength > 0 && start == 0;
                for (int i = 0; i < length; i++)
                {
                    grid[g * slots + slot + i] = start + i;
                    slotOf[start + i] = g * slots + slot + i;
                    if (!isPrefix)
                        for (int j = 0; j < prefixLength; j++) allowed[g, slot + i, j] = true;
                    for (int j = 0; j <= i; j++) allowed[g, slot + i, prefixLength + slot + j] = true;
                }
                slot += length;
            }
            // Empty slots: their outputs are never read; one allowed key keeps their softmax finite.
            for (; slot < slots; slot++) allowed[g, slot, prefixLength] = true;
        }
        gridIndex = tensor(grid);
        slotOfRow = tensor(slotOf);
        mask = tensor(allowed.Cast<bool>().ToArray(), [GroupCount, 1, slots, prefixLength + slots]);
        eotRows = tensor(rowStarts.Zip(readPositions, (s, e) => (long)(s + e)).ToArray());
        AttentionPairs = (long)GroupCount * slots * (prefixLength + slots);
    }

    /// <summary>Rows of the packed matrix: P + the classes' tokens.</summary>
    public int Rows { get; }
    public int GroupCount { get; }
    public int Slots { get; }
    /// <summary>Query-key pairs the attention computes per layer and head (masked ones included).</summary>
    public long AttentionPairs { get; }

    /// <summary>
    /// (Rows, W) input embeddings, positional embedding included -> (K, embed) features; or a
    /// batch (B, Rows, W) of such layouts (CoCoOp: one prefix per image) -> (B, K, embed).
    /// </summary>
    public Tensor Encode(Tensor x)
    {
        using var scope = NewDisposeScope();
        bool batched = x.dim() == 3;
        if (!batched) x = x.unsqueeze(0);
        long batch = x.shape[0];
        var groupMask = batch == 1 ? mask : mask.unsqueeze(0).expand(batch, -1, -1, -1, -1).reshape(batch * GroupCount, 1, Slots, -1);
        foreach (var block in clip.TextTransformer.Blocks)
        {
            var attention = block.Attention;
            var (q, k, v) = attention.ProjectQkv(block.Norm1.call(x));                    // each (B, H, Rows, d)
            var qkv = stack([q, k, v], 0);                                                 // (3, B, H, Rows, d)
            long heads = qkv.shape[2], headDim = qkv.shape[4];
            qkv = qkv.index_select(3, gridIndex)
                .view(3, batch, heads, GroupCount, Slots, headDim)
                .permute(0, 1, 3, 2, 4, 5);                                                // (3, B, G, H, slots, d)
            Tensor keys = qkv[1], values = qkv[2];
            if (prefix > 0)
            {
                var prefixKeys = keys.narrow(1, 0, 1).narrow(3, 0, prefix).expand(-1, GroupCount, -1, -1, -1);
                var prefixValues = values.narrow(1, 0, 1).narrow(3, 0, prefix).expand(-1, GroupCount, -1, -1, -1);
                keys = cat([prefixKeys, keys], 3);
                values = cat([prefixValues, values], 3);
            }
            var attended = attention.Attend(Groups(qkv[0]), Groups(keys), Groups(values), causal: false, groupMask)   // (B G, slots, W)
                .reshape(batch, GroupCount * Slots, -1).index_select(1, slotOfRow);
            x = x.Plus(attended);
            x = x.Plus(block.Mlp.call(block.Norm2.call(x)));
        }
        var eot = x.index_select(1, eotRows);                                              // (B, K, W)
        var features = clip.ProjectAtEot(eot.reshape(-1, 1, eot.shape[2]), zeros(eot.shape[0] * eot.shape[1], ScalarType.Int64))
            .view(batch, eot.shape[1], -1);
        return (batched ? features : features[0]).MoveToOuterDisposeScope();
    }

    /// <summary>(B, G, H, slots, d) -> (B G, H, slots, d): every group of every image is one attention batch entry.</summary>
    static Tensor Groups(Tensor t) => t.reshape(t.shape[0] * t.shape[1], t.shape[2], t.shape[3], t.shape[4]);

    public void Dispose()
    {
        gridIndex.Dispose();
        slotOfRow.Dispose();
        mask.Dispose();
        eotRows.Dispose();
    }
}
