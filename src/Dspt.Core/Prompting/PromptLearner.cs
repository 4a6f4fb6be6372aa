using Dspt.Clip;
using Dspt.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// CoOp's PromptLearner + TextEncoder + CustomCLIP logits (trainers/coop.py at ff61507c) over a
/// frozen <see cref="ClipModel"/>. The only trainable tensor is the context <c>ctx</c>: (M, W)
/// unified or (K, M, W) class-specific. The registered state is exactly CoOp's prompt_learner
/// state dict (<c>ctx</c>, <c>token_prefix</c>, <c>token_suffix</c>); the CLIP model is held but
/// not registered, so <c>parameters()</c> is just the context. Constructing a learner freezes the
/// CLIP model (requires_grad off for all its parameters), as CoOp's build_model does.
/// </summary>
public sealed class PromptLearner : nn.Module<Tensor, Tensor>, IPromptModel
{
    readonly ClipModel clip;
    readonly Parameter ctx;
    readonly Tensor token_prefix;
    readonly Tensor token_suffix;
    readonly Tensor eotPositions;
    readonly int[] nameLengths;
    readonly long contextLength;
    readonly long lastEot;
    readonly Tensor? packedRows;     // without sharing: which (class, position) of the prompts each packed row is
    readonly Tensor? packedSuffix;   // with sharing: the constant rows after the prefix, positional embedding added

    public PromptOptions Options { get; }
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>M, the number of context vectors.</summary>
    public int ContextCount { get; }
    public Parameter Context => ctx;
    /// <summary>(K, context length) int64: CoOp's tokenized_prompts.</summary>
    public Tensor TokenizedPrompts { get; }
    public IReadOnlyList<int> NameLengths => nameLengths;
    public ClipModel Clip => clip;

    /// <summary>Whether <see cref="TextFeatures"/> computes SOT + context once (unified context, position End).</summary>
    public bool UsesSharedPrefix => Options.SharePrefix && !Options.ClassSpecific && Options.Position == ClassTokenPosition.End;

    /// <summary>Longest prompt the text tower runs: last EOT + 1 with truncation, else the context length.</summary>
    public long EncodedLength => Options.TruncateAtEot ? lastEot + 1 : contextLength;

    /// <summary>The packed tower <see cref="TextFeatures"/> runs when a speed-up applies; null for CoOp's plain computation.</summary>
    public PackedTextEncoder? Encoder { get; }

    /// <summary>Token positions the text tower computes per step: the packed rows, or K x context length when plain.</summary>
    public long EncodedTokens => Encoder?.Rows ?? ClassCount * contextLength;

    /// <summary>
    /// CoOp's PromptLearner for <paramref name="classNames"/>: prompts tokenized as CoOp does
    /// (<see cref="PromptTokens.Create"/>), context random N(0, 0.02^2) from a generator seeded
    /// with <paramref name="seed"/>, or the init phrase's token embeddings.
    /// </summary>
    public PromptLearner(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, PromptOptions options, long seed)
        : this(clip, PromptTokens.Create(tokenizer, classNames, options, clip.Config.ContextLength), classNames, options, seed)
    {
    }

    /// <summary>
    /// From pre-tokenized prompts (<see cref="PromptTokens"/>; they must have been made with
    /// <see cref="PromptTokens.Prefix"/> of the same options). Random context: N(0, 0.02^2)
    /// drawn from a torch.Generator seeded with <paramref name="seed"/> (CPU, CoOp's
    /// <c>nn.init.normal_</c> after <c>torch.manual_seed(seed)</c> draws the same numbers).
    /// With <see cref="PromptOptions.CtxInit"/> the context is the init words' token embeddings.
    /// </summary>
    public PromptLearner(ClipModel clip, PromptTokens tokens, IReadOnlyList<string> classNames, PromptOptions options, long seed)
        : base(nameof(PromptLearner))
    {
        this.clip = clip;
        // CoOp's build_model freezes everything outside the prompt learner; without it autograd
        // would also compute (and keep activations for) every CLIP weight's gradient.
        foreach (var p in clip.parameters()) p.requires_grad = false;
        Options = options;
        ClassNames = [.. classNames];
        ContextCount = PromptTokens.ContextCount(options);
        contextLength = clip.Config.ContextLength;
        int k = ClassNames.Count;
        Validate(tokens, k);
        nameLengths = [.. tokens.NameLengths];
        TokenizedPrompts = tokens.Tokens.to(ScalarType.Int64).clone();
        eotPositions = TokenizedPrompts.argmax(-1);
        var eots = eotPositions.data<long>().ToArray();
        for (int i = 0; i < k; i++)
            if (eots[i] <= ContextCount + nameLengths[i])
                throw new InvalidInputException($"prompt of class '{ClassNames[i]}': end-of-text token at position {eots[i]}, expected after SOT, {ContextCount} context tokens and {nameLengths[i]} name tokens (were the prompts tokenized with this context size?)");
        lastEot = eots.Max();

        int m = ContextCount;
        long width = clip.Config.TransformerWidth;
        using (no_grad())
        {
            using var embedding = clip.TokenEmbedding.call(TokenizedPrompts).to(clip.DType);
            token_prefix = embedding.narrow(1, 0, 1).clone();
            token_suffix = embedding.narrow(1, 1 + m, contextLength - 1 - m).clone();
            Tensor init;
            if (!string.IsNullOrEmpty(options.CtxInit))
                init = embedding[0].narrow(0, 1, m).clone();
            else
            {
                using var generator = new Generator((ulong)seed);
                long[] shape = options.ClassSpecific ? [k, m, width] : [m, width];
                init = empty(shape, ScalarType.Float32).normal_(0, 0.02, generator).to(clip.DType);
            }
            ctx = new Parameter(init, requires_grad: true);
        }
        register_parameter("ctx", ctx);
        register_buffer("token_prefix", token_prefix);
        register_buffer("token_suffix", token_suffix);

        if (UsesSharedPrefix)
        {
            // Each class runs its tokens after SOT + context, up to its EOT (or to the context length).
            int p = 1 + m;
            var lengths = eots.Select(e => (int)(Options.TruncateAtEot ? e + 1 - p : contextLength - p)).ToArray();
            Encoder = new PackedTextEncoder(clip, p, lengths, [.. eots.Select(e => (int)e - p)]);
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var rows = tensor(Rows(lengths, contextLength - p));
            var positions = tensor(lengths.SelectMany(n => Enumerable.Range(p, n).Select(j => (long)j)).ToArray());
            packedSuffix = token_suffix.reshape(-1, width).index_select(0, rows)
                .Plus(clip.PositionalEmbedding.to(clip.DType).index_select(0, positions)).MoveToOuterDisposeScope();
        }
        else if (Options.TruncateAtEot)
        {
            var lengths = eots.Select(e => (int)e + 1).ToArray();
            Encoder = new PackedTextEncoder(clip, 0, lengths, [.. eots.Select(e => (int)e)]);
            packedRows = tensor(Rows(lengths, lastEot + 1));
        }
    }

    /// <summary>Row indices into a (K * stride) flattening for the first lengths[k] positions of each class.</summary>
    internal static long[] Rows(int[] lengths, long stride) =>
        [.. lengths.SelectMany((n, k) => Enumerable.Range(0, n).Select(j => k * stride + j))];

    void Validate(PromptTokens tokens, int k)
    {
        if (k == 0) throw new InvalidInputException("no class names given");
        if (ContextCount < 1) throw new InvalidInputException($"number of context vectors is {ContextCount}, expected at least 1");
        if (Options.ClassSpecific && !string.IsNullOrEmpty(Options.CtxInit))
            throw new InvalidInputException($"class-specific context with an init phrase ('{Options.CtxInit}'): CoOp would silently fall back to a unified context; choose one");
        if (1 + ContextCount >= contextLength)
            throw new InvalidInputException($"{ContextCount} context vectors do not fit the context length {contextLength}");
        var t = tokens.Tokens;
        if (t.dim() != 2 || t.shape[0] != k || t.shape[1] != contextLength || t.is_floating_point())
            throw new InvalidInputException($"tokenized prompts have shape [{string.Join(", ", t.shape)}] ({t.dtype}), expected integer [{k}, {contextLength}] ({k} classes, the model's context length)");
        if (tokens.NameLengths.Count != k)
            throw new InvalidInputException($"{tokens.NameLengths.Count} name lengths for {k} classes");
        if (!t.select(1, 0).eq(t[0, 0]).all().item<bool>())
            throw new InvalidInputException("tokenized prompts do not all start with the same start-of-text token");
    }

    /// <summary>CoOp's PromptLearner.forward(): (K, context length, W) prompt embeddings (no positional embedding).</summary>
    public Tensor Prompts() => BuildPrompts(contextLength);

    /// <summary>The first <paramref name="length"/> tokens of every prompt (CoOp's layout; exact for any length past the last EOT).</summary>
    Tensor BuildPrompts(long length)
    {
        using var scope = NewDisposeScope();
        int k = ClassCount, m = ContextCount;
        var ctxPerClass = ctx.dim() == 2 ? ctx.unsqueeze(0).expand(k, -1, -1) : ctx;
        var suffix = token_suffix.narrow(1, 0, length - 1 - m);
        if (Options.Position == ClassTokenPosition.End)
            return cat([token_prefix, ctxPerClass, suffix], 1).MoveToOuterDisposeScope();

        int half = m / 2;
        var rows = new Tensor[k];
        for (int i = 0; i < k; i++)
        {
            int nameLength = nameLengths[i];
            var prefix = token_prefix.narrow(0, i, 1);
            var name = suffix.narrow(0, i, 1).narrow(1, 0, nameLength);
            var rest = suffix.narrow(0, i, 1).narrow(1, nameLength, suffix.shape[1] - nameLength);
            var context = ctxPerClass.narrow(0, i, 1);
            rows[i] = Options.Position == ClassTokenPosition.Middle
                ? cat([prefix, context.narrow(1, 0, half), name, context.narrow(1, half, m - half), rest], 1)
                : cat([prefix, name, context, rest], 1);
        }
        return cat(rows, 0).MoveToOuterDisposeScope();
    }

    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// (K, embed) unnormalised text features, differentiable wrt <see cref="Context"/>, using the
    /// speed-ups the options enable (each exact up to float32 reassociation).
    /// </summary>
    public Tensor TextFeatures()
    {
        using var scope = NewDisposeScope();
        if (Encoder is null)
            return clip.EncodeTextEmbeddings(Prompts(), eotPositions).MoveToOuterDisposeScope();
        var positional = clip.PositionalEmbedding.to(ctx.dtype);
        Tensor rows;
        if (packedSuffix is not null)
        {
            var prefix = cat([token_prefix[0], ctx], 0);
            rows = cat([prefix.Plus(positional.narrow(0, 0, prefix.shape[0])), packedSuffix], 0);
        }
        else
        {
            long length = EncodedLength;
            var prompts = BuildPrompts(length).Plus(positional.narrow(0, 0, length));
            rows = prompts.reshape(-1, prompts.shape[2]).index_select(0, packedRows!);
        }
        return Encoder.Encode(rows).MoveToOuterDisposeScope();
    }

    /// <summary>CustomCLIP.forward with given image features: exp(logit_scale) * cos(image, text), (B, K).</summary>
    public Tensor Logits(Tensor imageFeatures)
    {
        using var scope = NewDisposeScope();
        var text = TextFeatures();
        return clip.Logits(imageFeatures.to(text.dtype), text).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor imageFeatures) => Logits(imageFeatures);

    public string Kind => "coop";
    public bool ConsumesPixels => false;
    public IReadOnlyList<(string Name, Parameter Tensor)> Trainable => [("ctx", ctx)];
    public PromptOutput Forward(Tensor imageFeatures) => new(Logits(imageFeatures));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Encoder?.Dispose();
            packedRows?.Dispose();
            packedSuffix?.Dispose();
            TokenizedPrompts.Dispose();
            eotPositions.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>CoOp's prompt_learner state dict: copies of ctx, token_prefix and token_suffix.</summary>
    public Dictionary<string, Tensor> CoOpState() => new()
    {
        ["ctx"] = ctx.detach().clone(),
        ["token_prefix"] = token_prefix.clone(),
        ["token_suffix"] = token_suffix.clone(),
    };

    /// <summary>
    /// Imports a CoOp prompt_learner state dict: the context (its shape decides M and unified vs
    /// class-specific; <paramref name="options"/>' NCtx and ClassSpecific are replaced by it).
    /// token_prefix/token_suffix are shape-checked and, as CoOp's load_model does, otherwise
    /// ignored: they are recomputed from the current class names. <paramref name="tokenize"/>
    /// gets the effective options and returns the prompts tokenized with their prefix.
    /// </summary>
    public static PromptLearner FromCoOpState(ClipModel clip, Func<PromptOptions, PromptTokens> tokenize,
        IReadOnlyList<string> classNames, IReadOnlyDictionary<string, Tensor> state, PromptOptions options, string source)
    {
        long width = clip.Config.TransformerWidth, length = clip.Config.ContextLength;
        int k = classNames.Count;
        var unexpected = state.Keys.Where(n => n is not ("ctx" or "token_prefix" or "token_suffix")).ToList();
        if (unexpected.Count > 0)
            throw new InvalidInputException($"{source}: unexpected tensor '{unexpected[0]}' (a CoOp prompt_learner state has ctx, token_prefix, token_suffix)");
        if (!state.TryGetValue("ctx", out var saved))
            throw new InvalidInputException($"{source}: missing tensor 'ctx' (a CoOp prompt_learner state has ctx, token_prefix, token_suffix)");
        if (!saved.is_floating_point() || saved.dim() is not (2 or 3) || saved.shape[^1] != width
            || (saved.dim() == 3 && saved.shape[0] != k) || saved.shape[^2] < 1)
            throw new InvalidInputException($"{source}: tensor 'ctx' has shape [{string.Join(", ", saved.shape)}] ({saved.dtype}), expected floating [n_ctx, {width}] or, class-specific, [{k}, n_ctx, {width}] for {k} classes and text width {width}");
        int m = (int)saved.shape[^2];
        var effective = options with { Layout = options.Layout with { NCtx = m, ClassSpecific = saved.dim() == 3 } };
        if (!string.IsNullOrEmpty(options.CtxInit) && PromptTokens.ContextCount(effective) != m)
            throw new InvalidInputException($"{source}: tensor 'ctx' has {m} context vectors but the init phrase '{options.CtxInit}' has {PromptTokens.ContextCount(effective)} words");
        CheckShape(state, "token_prefix", [k, 1, width], source);
        CheckShape(state, "token_suffix", [k, length - 1 - m, width], source);

        var learner = new PromptLearner(clip, tokenize(effective), classNames, effective, seed: 0);
        using (no_grad()) learner.ctx.copy_(saved);
        return learner;
    }

    /// <summary><see cref="FromCoOpState(ClipModel, Func{PromptOptions, PromptTokens}, IReadOnlyList{string}, IReadOnlyDictionary{string, Tensor}, PromptOptions, string)"/> with CoOp's tokenization.</summary>
    public static PromptLearner FromCoOpState(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames,
        IReadOnlyDictionary<string, Tensor> state, PromptOptions options, string source) =>
        FromCoOpState(clip, effective => PromptTokens.Create(tokenizer, classNames, effective, clip.Config.ContextLength),
            classNames, state, options, source);

    static void CheckShape(IReadOnlyDictionary<string, Tensor> state, string name, long[] expected, string source)
    {
        if (state.TryGetValue(name, out var t) && !t.shape.SequenceEqual(expected))
            throw new InvalidInputException($"{source}: tensor '{name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", expected)}] (saved for other class names or another model?)");
    }
}
