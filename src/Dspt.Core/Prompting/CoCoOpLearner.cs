using Dspt.Clip;
using Dspt.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// CoCoOp's PromptLearner + CustomCLIP (trainers/cocoop.py at CoOp ff61507c): CoOp's unified
/// context (position End) plus a meta-net (vis_dim -> vis_dim / 16 -> ReLU -> text width) whose
/// output, computed from each image's L2-normalised features, is added to every context
/// vector. So each image has its own prompts and costs one text encoding per class.
/// Registered state is exactly CoCoOp's prompt_learner state dict (<c>ctx</c>,
/// <c>meta_net.linear{1,2}.{weight,bias}</c>, <c>token_prefix</c>, <c>token_suffix</c>).
/// <para>
/// Speed-ups (each exact up to float32 reassociation, switched by <see cref="PromptOptions"/>):
/// truncation at each class's EOT, classes packed without padding; and the SOT + context
/// prefix computed once per image and attended to by all of that image's classes, with the
/// constant class rows (name, ".", EOT, positional embedding) shared by all images.
/// </para>
/// </summary>
public sealed class CoCoOpLearner : nn.Module<Tensor, Tensor>, IPromptModel
{
    readonly ClipModel clip;
    readonly Parameter ctx;
    readonly Sequential meta_net;
    readonly Tensor token_prefix;
    readonly Tensor token_suffix;
    readonly Tensor eotPositions;
    readonly long contextLength;
    readonly long lastEot;
    readonly Tensor? packedRows;     // truncation without sharing: (class, position) of each packed row
    readonly Tensor? packedSuffix;   // with sharing: the constant rows after the prefix, positional embedding added

    public PromptOptions Options { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int ClassCount => ClassNames.Count;
    public int ContextCount { get; }
    public Parameter Context => ctx;
    public Sequential MetaNet => meta_net;
    public Tensor TokenizedPrompts { get; }
    public ClipModel Clip => clip;
    public bool UsesSharedPrefix => Options.SharePrefix;
    public PackedTextEncoder? Encoder { get; }

    /// <summary>Token positions the text tower computes per image: packed rows, or K x context length when plain.</summary>
    public long EncodedTokens => Encoder?.Rows ?? ClassCount * contextLength;

    public CoCoOpLearner(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, PromptOptions options, long seed)
        : this(clip, PromptTokens.Create(tokenizer, classNames, options, clip.Config.ContextLength), classNames, options, seed)
    {
    }

    /// <summary>
    /// From prompts tokenized with <see cref="PromptTokens.Prefix"/> of the same options. The
    /// random numbers come in CoCoOp's order from one generator seeded with
    /// <paramref name="seed"/>: the context N(0, 0.02^2) (without an init phrase), then
    /// nn.Linear's default init of linear1 and linear2 (weight, then bias: U(-1/sqrt(fan_in), +)).
    /// </summary>
    public CoCoOpLearner(ClipModel clip, PromptTokens tokens, IReadOnlyList<string> classNames, PromptOptions options, long seed)
        : base(nameof(CoCoOpLearner))
    {
        if (options.ClassSpecific)
            throw new InvalidInputException("CoCoOp has one context shared by all classes: class-specific context (--csc) does not apply");
        if (options.Position != ClassTokenPosition.End)
            throw new InvalidInputException($"CoCoOp puts the class name after the context: class token position '{options.Position.ToString().ToLowerInvariant()}' does not apply");
        this.clip = clip;
        foreach (var p in clip.parameters()) p.requires_grad = false;
        Options = options;
        ClassNames = [.. classNames];
        ContextCount = PromptTokens.ContextCount(options);
        contextLength = clip.Config.ContextLength;
        int k = ClassNames.Count, m = ContextCount;
        if (k == 0) throw new InvalidInputException("no class names given");
        if (ContextCount < 1 || 1 + ContextCount >= contextLength)
            throw new InvalidInputException($"number of context vectors is {ContextCount}, expected 1..{contextLength - 2}");
        long visDim = clip.Config.EmbedDim, width = clip.Config.TransformerWidth, hidden = visDim / 16;
        if (hidden < 1)
            throw new InvalidInputException($"CoCoOp's meta-net has vis_dim / 16 hidden units; the model's embedding width {visDim} gives none");
        var t = tokens.Tokens;
        if (t.dim() != 2 || t.shape[0] != k || t.shape[1] != contextLength || t.is_floating_point())
            throw new InvalidInputException($"tokenized prompts have shape [{string.Join(", ", t.shape)}] ({t.dtype}), expected integer [{k}, {contextLength}]");
        TokenizedPrompts = t.to(ScalarType.Int64).clone();
        eotPositions = TokenizedPrompts.argmax(-1);
        var eots = eotPositions.data<long>().ToArray();
        for (int i = 0; i < k; i++)
            if (eots[i] <= m + tokens.NameLengths[i])
                throw new InvalidInputException($"prompt of class '{ClassNames[i]}': end-of-text token at position {eots[i]}, expected after SOT, {m} context tokens and {tokens.NameLengths[i]} name tokens");
        lastEot = eots.Max();

        using var generator = new Generator((ulong)seed);
        var linear1 = nn.Linear(visDim, hidden);
        var linear2 = nn.Linear(hidden, width);
        using (no_grad())
        {
            using var embedding = clip.TokenEmbedding.call(TokenizedPrompts).to(clip.DType);
            token_prefix = embedding.narrow(1, 0, 1).clone();
            token_suffix = embedding.narrow(1, 1 + m, contextLength - 1 - m).clone();
            var init = !string.IsNullOrEmpty(options.CtxInit)
                ? embedding[0].narrow(0, 1, m).clone()
                : empty([m, width], ScalarType.Float32).normal_(0, 0.02, generator).to(clip.DType);
            ctx = new Parameter(init, requires_grad: true);
            foreach (var linear in new[] { linear1, linear2 }) LinearDefaultInit(linear, generator);
        }
        meta_net = nn.Sequential(("linear1", linear1), ("relu", nn.ReLU()), ("linear2", linear2));
        meta_net.to(clip.DType);
        register_parameter("ctx", ctx);
        register_module("meta_net", meta_net);
        register_buffer("token_prefix", token_prefix);
        register_buffer("token_suffix", token_suffix);

        int prefix = 1 + m;
        if (Options.SharePrefix)
        {
            var lengths = eots.Select(e => (int)(Options.TruncateAtEot ? e + 1 - prefix : contextLength - prefix)).ToArray();
            Encoder = new PackedTextEncoder(clip, prefix, lengths, [.. eots.Select(e => (int)e - prefix)]);
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var rows = tensor(PromptLearner.Rows(lengths, contextLength - prefix));
            var positions = tensor(lengths.SelectMany(n => Enumerable.Range(prefix, n).Select(j => (long)j)).ToArray());
            packedSuffix = token_suffix.reshape(-1, width).index_select(0, rows)
                .Plus(clip.PositionalEmbedding.to(clip.DType).index_select(0, positions)).MoveToOuterDisposeScope();
        }
        else if (Options.TruncateAtEot)
        {
            var lengths = eots.Select(e => (int)e + 1).ToArray();
            Encoder = new PackedTextEncoder(clip, 0, lengths, [.. eots.Select(e => (int)e)]);
            packedRows = tensor(PromptLearner.Rows(lengths, lastEot + 1));
        }
    }

    /// <summary>
    /// nn.Linear.reset_parameters: kaiming_uniform_(a = sqrt(5)) on the weight, then the bias
    /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bounds computed as PyTorch computes them.
    /// </summary>
    static void LinearDefaultInit(Linear linear, Generator generator)
    {
        double fanIn = linear.weight!.shape[1];
        double gain = Math.Sqrt(2.0 / (1 + 5.0));
        double bound = Math.Sqrt(3.0) * (gain / Math.Sqrt(fanIn));
        linear.weight.uniform_(-bound, bound, generator);
        double biasBound = 1 / Math.Sqrt(fanIn);
        linear.bias!.uniform_(-biasBound, biasBound, generator);
    }

    /// <summary>(B, D) image features -> L2-normalised, as CustomCLIP.forward normalises before the meta-net.</summary>
    public static Tensor Normalize(Tensor imageFeatures) => imageFeatures / imageFeatures.norm(-1, keepdim: true);

    /// <summary>meta_net(normalised image features): (B, text width), the bias added to every context vector.</summary>
    public Tensor Bias(Tensor normalizedImageFeatures) => meta_net.call(normalizedImageFeatures);

    /// <summary>CoCoOp's PromptLearner.forward: (B, K, context length, W) prompt embeddings (no positional embedding).</summary>
    public Tensor Prompts(Tensor normalizedImageFeatures)
    {
        using var scope = NewDisposeScope();
        return BuildPrompts(Shifted(normalizedImageFeatures), contextLength).MoveToOuterDisposeScope();
    }

    /// <summary>ctx + bias per image: (B, M, W).</summary>
    Tensor Shifted(Tensor normalizedImageFeatures) => ctx.unsqueeze(0).Plus(Bias(normalizedImageFeatures).unsqueeze(1));

    Tensor BuildPrompts(Tensor shifted, long length)
    {
        long b = shifted.shape[0], k = ClassCount, m = ContextCount;
        var prefix = token_prefix.unsqueeze(0).expand(b, -1, -1, -1);
        var context = shifted.unsqueeze(1).expand(-1, k, -1, -1);
        var suffix = token_suffix.narrow(1, 0, length - 1 - m).unsqueeze(0).expand(b, -1, -1, -1);
        return cat([prefix, context, suffix], 2);
    }

    /// <summary>
    /// (B, K, embed) unnormalised text features of every image's prompts (normalised image
    /// features in), differentiable wrt ctx and the meta-net.
    /// </summary>
    public Tensor TextFeatures(Tensor normalizedImageFeatures)
    {
        using var scope = NewDisposeScope();
        var shifted = Shifted(normalizedImageFeatures);
        long b = shifted.shape[0], width = shifted.shape[2];
        var positional = clip.PositionalEmbedding.to(ctx.dtype);
        if (Encoder is null)
        {
            // CoCoOp's loop: one text encoding of all K prompts per image.
            var perImage = new Tensor[b];
            for (int i = 0; i < b; i++)
                perImage[i] = clip.EncodeTextEmbeddings(BuildPrompts(shifted.narrow(0, i, 1), contextLength)[0], eotPositions);
            return stack(perImage, 0).MoveToOuterDisposeScope();
        }
        Tensor rows;
        if (packedSuffix is not null)
        {
            var prefix = cat([token_prefix[0].unsqueeze(0).expand(b, -1, -1), shifted], 1);
            prefix = prefix.Plus(positional.narrow(0, 0, prefix.shape[1]));
            rows = cat([prefix, packedSuffix.unsqueeze(0).expand(b, -1, -1)], 1);
        }
        else
        {
            long length = lastEot + 1;
            var prompts = BuildPrompts(shifted, length).Plus(positional.narrow(0, 0, length));
            rows = prompts.reshape(b, -1, width).index_select(1, packedRows!);
        }
        return Encoder.Encode(rows).MoveToOuterDisposeScope();
    }

    /// <summary>CustomCLIP.forward with given image features: per image exp(logit_scale) * cos(image, its text features), (B, K).</summary>
    public Tensor Logits(Tensor imageFeatures)
    {
        using var scope = NewDisposeScope();
        var image = Normalize(imageFeatures.to(ctx.dtype));
        var text = TextFeatures(image);
        text = text / text.norm(-1, keepdim: true);
        var cosines = text.matmul(image.unsqueeze(2)).squeeze(2);
        return (clip.LogitScale.exp().to(cosines.dtype) * cosines).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor imageFeatures) => Logits(imageFeatures);

    public string Kind => "cocoop";
    public bool ConsumesPixels => false;
    public IReadOnlyList<(string Name, Parameter Tensor)> Trainable => [.. named_parameters().Select(p => (p.name, p.parameter))];
    public PromptOutput Forward(Tensor imageFeatures) => new(Logits(imageFeatures));
    /// <summary>Each image costs K text encodings: score few at a time.</summary>
    public int InferenceBatch => 16;

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
}
