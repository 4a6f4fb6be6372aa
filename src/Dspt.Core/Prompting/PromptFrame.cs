using Dspt.Clip;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// The fixed part of CoOp-style prompts around the learned context, shared by CoOp's and
/// CoCoOp's learners: the tokenized prompts (checked against the context size), CoOp's
/// <c>token_prefix</c> (SOT) and <c>token_suffix</c> (name, ".", EOT, padding) embeddings, the
/// init phrase's context, and the packed text tower of the speed-ups the options enable. The
/// learner registers <see cref="Prefix"/> and <see cref="Suffix"/> as its buffers; disposing the
/// frame frees the rest.
/// </summary>
public sealed class PromptFrame : IDisposable
{
    readonly Tensor? phraseContext;
    readonly ScalarType dtype;

    /// <summary>(K, context length) int64: CoOp's tokenized_prompts.</summary>
    public Tensor TokenizedPrompts { get; }
    public Tensor EotPositions { get; }
    public long ContextLength { get; }
    public long LastEot { get; }
    /// <summary>(K, 1, W) SOT embeddings.</summary>
    public Tensor Prefix { get; }
    /// <summary>(K, context length - 1 - M, W) embeddings after the context.</summary>
    public Tensor Suffix { get; }
    /// <summary>The packed tower when a speed-up applies; null for CoOp's plain computation.</summary>
    public PackedTextEncoder? Encoder { get; }
    /// <summary>Truncation without sharing: which (class, position) of the first LastEot + 1 prompt rows each packed row is.</summary>
    public Tensor? PackedRows { get; }
    /// <summary>With a shared SOT + context prefix: the constant rows after it, positional embedding added.</summary>
    public Tensor? PackedSuffix { get; }
    /// <summary>Token positions the text tower computes per prompt set: the packed rows, or K x context length when plain.</summary>
    public long EncodedTokens => Encoder?.Rows ?? TokenizedPrompts.shape[0] * ContextLength;

    /// <param name="sharePrefix">Whether the text tower computes SOT + context once (unified context, class name at the end).</param>
    internal PromptFrame(ClipModel clip, PromptTokens tokens, IReadOnlyList<string> classNames, int contextCount, PromptOptions options, bool sharePrefix)
    {
        int k = classNames.Count, m = contextCount;
        long contextLength = ContextLength = clip.Config.ContextLength, width = clip.Config.TransformerWidth;
        Validate(tokens, k, contextLength);
        TokenizedPrompts = tokens.Tokens.to(ScalarType.Int64).clone();
        EotPositions = TokenizedPrompts.argmax(-1);
        var eots = EotPositions.data<long>().ToArray();
        for (int i = 0; i < k; i++)
            if (eots[i] <= m + tokens.NameLengths[i])
                throw new InvalidInputException($"prompt of class '{classNames[i]}': end-of-text token at position {eots[i]}, expected after SOT, {m} context tokens and {tokens.NameLengths[i]} name tokens (were the prompts tokenized with this context size?)");
        LastEot = eots.Max();

        dtype = clip.DType;
        using (no_grad())
        {
            using var embedding = clip.TokenEmbedding.call(TokenizedPrompts).to(clip.DType);
            Prefix = embedding.narrow(1, 0, 1).clone();
            Suffix = embedding.narrow(1, 1 + m, contextLength - 1 - m).clone();
            if (!string.IsNullOrEmpty(options.CtxInit))
                phraseContext = embedding[0].narrow(0, 1, m).clone();
        }

        if (sharePrefix)
        {
            // Each class runs its tokens after SOT + context, up to its EOT (or to the context length).
            int p = 1 + m;
            var lengths = eots.Select(e => (int)(options.TruncateAtEot ? e + 1 - p : contextLength - p)).ToArray();
            Encoder = new PackedTextEncoder(clip, p, lengths, [.. eots.Select(e => (int)e - p)]);
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var rows = tensor(Rows(lengths, contextLength - p));
            var positions = tensor(lengths.SelectMany(n => Enumerable.Range(p, n).Select(j => (long)j)).ToArray());
            PackedSuffix = Suffix.reshape(-1, width).index_select(0, rows)
                .Plus(clip.PositionalEmbedding.to(clip.DType).index_select(0, positions)).MoveToOuterDisposeScope();
        }
        else if (options.TruncateAtEot)
        {
            var lengths = eots.Select(e => (int)e + 1).ToArray();
            Encoder = new PackedTextEncoder(clip, 0, lengths, [.. eots.Select(e => (int)e)]);
            PackedRows = tensor(Rows(lengths, LastEot + 1));
        }
    }

    /// <summary>
    /// The starting context: the init phrase's token embeddings, else N(0, 0.02^2) of
    /// <paramref name="shape"/> drawn from <paramref name="generator"/> (CPU float32, as CoOp's
    /// <c>nn.init.normal_</c> after <c>torch.manual_seed</c> draws it), in the model's dtype.
    /// </summary>
    public Tensor InitialContext(long[] shape, Generator generator)
    {
        using var _ = no_grad();
        return phraseContext?.clone() ?? empty(shape, ScalarType.Float32).normal_(0, 0.02, generator).to(dtype);
    }

    /// <summary>Row indices into a (K * stride) flattening for the first lengths[k] positions of each class.</summary>
    static long[] Rows(int[] lengths, long stride) =>
        [.. lengths.SelectMany((n, k) => Enumerable.Range(0, n).Select(j => k * stride + j))];

    static void Validate(PromptTokens tokens, int k, long contextLength)
    {
        var t = tokens.Tokens;
        if (t.dim() != 2 || t.shape[0] != k || t.shape[1] != contextLength || t.is_floating_point())
            throw new InvalidInputException($"tokenized prompts have shape [{string.Join(", ", t.shape)}] ({t.dtype}), expected integer [{k}, {contextLength}] ({k} classes, the model's context length)");
        if (tokens.NameLengths.Count != k)
            throw new InvalidInputException($"{tokens.NameLengths.Count} name lengths for {k} classes");
        if (!t.select(1, 0).eq(t[0, 0]).all().item<bool>())
            throw new InvalidInputException("tokenized prompts do not all start with the same start-of-text token");
    }

    public void Dispose()
    {
        Encoder?.Dispose();
        PackedRows?.Dispose();
        PackedSuffix?.Dispose();
        phraseContext?.Dispose();
        TokenizedPrompts.Dispose();
        EotPositions.Dispose();
    }
}
