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
    readonly PromptFrame frame;
    readonly int[] nameLengths;

    public PromptOptions Options { get; }
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>M, the number of context vectors.</summary>
    public int ContextCount { get; }
    public Parameter Context => ctx;
    public IReadOnlyList<int> NameLengths => nameLengths;
    public ClipModel Clip => clip;

    /// <summary>Whether <see cref="TextFeatures"/> computes SOT + context once (unified context, position End).</summary>
    public bool UsesSharedPrefix => Options.SharePrefix && !Options.ClassSpecific && Options.Position == ClassTokenPosition.End;

    /// <summary>Longest prompt the text tower runs: last EOT + 1 with truncation, else the context length.</summary>
    public long EncodedLength => Options.TruncateAtEot ? frame.LastEot + 1 : frame.ContextLength;

    /// <summary>The fixed prompt parts and the packed text tower the speed-ups run (null Encoder: CoOp's plain computation).</summary>
    public PromptFrame Frame => frame;

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
        int k = ClassNames.Count;
        Validate(k);
        nameLengths = [.. tokens.NameLengths];
        frame = new PromptFrame(clip, tokens, ClassNames, ContextCount, options, UsesSharedPrefix);
        using (no_grad())
        {
            using var generator = new Generator((ulong)seed);
            long width = clip.Config.TransformerWidth;
            long[] shape = options.ClassSpecific ? [k, ContextCount, width] : [ContextCount, width];
            ctx = new Parameter(frame.InitialContext(shape, generator), requires_grad: true);
        }
        register_parameter("ctx", ctx);
        register_buffer("token_prefix", frame.Prefix);
        register_buffer("token_suffix", frame.Suffix);
    }

    void Validate(int k)
    {
        if (k == 0) throw new InvalidInputException("no class names given");
        if (ContextCount < 1) throw new InvalidInputException($"number of context vectors is {ContextCount}, expected at least 1");
        if (Options.ClassSpecific && !string.IsNullOrEmpty(Options.CtxInit))
            throw new InvalidInputException($"class-specific context with an init phrase ('{Options.CtxInit}'): CoOp would silently fall back to a unified context; choose one");
        if (1 + ContextCount >= clip.Config.ContextLength)
            throw new InvalidInputException($"{ContextCount} context vectors do not fit the context length {clip.Config.ContextLength}");
    }

    /// <summary>CoOp's PromptLearner.forward(): (K, context length, W) prompt embeddings (no positional embedding).</summary>
    public Tensor Prompts() => BuildPrompts(frame.ContextLength);

    /// <summary>The first <paramref name="length"/> tokens of every prompt (CoOp's layout; exact for any length past the last EOT).</summary>
    Tensor BuildPrompts(long length)
    {
        using var scope = NewDisposeScope();
        int k = ClassCount, m = ContextCount;
        var ctxPerClass = ctx.dim() == 2 ? ctx.unsqueeze(0).expand(k, -1, -1) : ctx;
        var suffix = frame.Suffix.narrow(1, 0, length - 1 - m);
        if (Options.Position == ClassTokenPosition.End)
            return cat([frame.Prefix, ctxPerClass, suffix], 1).MoveToOuterDisposeScope();

        int half = m / 2;
        var rows = new Tensor[k];
        for (int i = 0; i < k; i++)
        {
            int nameLength = nameLengths[i];
            var prefix = frame.Prefix.narrow(0, i, 1);
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
        if (frame.Encoder is not { } encoder)
            return clip.EncodeTextEmbeddings(Prompts(), frame.EotPositions).MoveToOuterDisposeScope();
        var positional = clip.PositionalEmbedding.to(ctx.dtype);
        Tensor rows;
        if (frame.PackedSuffix is { } packedSuffix)
        {
            var prefix = cat([frame.Prefix[0], ctx], 0);
            rows = cat([prefix.Plus(positional.narrow(0, 0, prefix.shape[0])), packedSuffix], 0);
        }
        else
        {
            long length = EncodedLength;
            var prompts = BuildPrompts(length).Plus(positional.narrow(0, 0, length));
            rows = prompts.reshape(-1, prompts.shape[2]).index_select(0, frame.PackedRows!);
        }
        return encoder.Encode(rows).MoveToOuterDisposeScope();
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
        if (disposing) frame.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>CoOp's prompt_learner state dict: copies of ctx, token_prefix and token_suffix.</summary>
    public Dictionary<string, Tensor> CoOpState() => new()
    {
        ["ctx"] = ctx.detach().clone(),
        ["token_prefix"] = frame.Prefix.clone(),
        ["token_suffix"] = frame.Suffix.clone(),
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
