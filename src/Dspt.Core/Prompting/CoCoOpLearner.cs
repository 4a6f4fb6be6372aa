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
    readonly PromptFrame frame;

    public PromptOptions Options { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int ClassCount => ClassNames.Count;
    public int ContextCount { get; }
    public Parameter Context => ctx;
    public Sequential MetaNet => meta_net;
    public ClipModel Clip => clip;
    public bool UsesSharedPrefix => Options.SharePrefix;
    /// <summary>The fixed prompt parts and the packed text tower the speed-ups run (null Encoder: CoOp's plain computation).</summary>
    public PromptFrame Frame => frame;

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
        int k = ClassNames.Count, m = ContextCount;
        if (k == 0) throw new InvalidInputException("no class names given");
        if (ContextCount < 1 || 1 + ContextCount >= clip.Config.ContextLength)
            throw new InvalidInputException($"number of context vectors is {ContextCount}, expected 1..{clip.Config.ContextLength - 2}");
        long visDim = clip.Config.EmbedDim, width = clip.Config.TransformerWidth, hidden = visDim / 16;
        if (hidden < 1)
            throw new InvalidInputException($"CoCoOp's meta-net has vis_dim / 16 hidden units; the model's embedding width {visDim} gives none");
        frame = new PromptFrame(clip, tokens, ClassNames, m, options, options.SharePrefix);

        using var generator = new Generator((ulong)seed);
        var linear1 = nn.Linear(visDim, hidden);
        var linear2 = nn.Linear(hidden, width);
        using (no_grad())
        {
            ctx = new Parameter(frame.InitialContext([m, width], generator), requires_grad: true);
            foreach (var linear in new[] { linear1, linear2 }) LinearDefaultInit(linear, generator);
        }
        meta_net = nn.Sequential(("linear1", linear1), ("relu", nn.ReLU()), ("linear2", linear2));
        meta_net.to(clip.DType);
        register_parameter("ctx", ctx);
        register_module("meta_net", meta_net);
        register_buffer("token_prefix", frame.Prefix);
        register_buffer("token_suffix", frame.Suffix);
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
        return BuildPrompts(Shifted(normalizedImageFeatures), frame.ContextLength).MoveToOuterDisposeScope();
    }

    /// <summary>ctx + bias per image: (B, M, W).</summary>
    Tensor Shifted(Tensor normalizedImageFeatures) => ctx.unsqueeze(0).Plus(Bias(normalizedImageFeatures).unsqueeze(1));

    Tensor BuildPrompts(Tensor shifted, long length)
    {
        long b = shifted.shape[0], k = ClassCount, m = ContextCount;
        var prefix = frame.Prefix.unsqueeze(0).expand(b, -1, -1, -1);
        var context = shifted.unsqueeze(1).expand(-1, k, -1, -1);
        var suffix = frame.Suffix.narrow(1, 0, length - 1 - m).unsqueeze(0).expand(b, -1, -1, -1);
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
        if (frame.Encoder is not { } encoder)
        {
            // CoCoOp's loop: one text encoding of all K prompts per image.
            var perImage = new Tensor[b];
            for (int i = 0; i < b; i++)
                perImage[i] = clip.EncodeTextEmbeddings(BuildPrompts(shifted.narrow(0, i, 1), frame.ContextLength)[0], frame.EotPositions);
            return stack(perImage, 0).MoveToOuterDisposeScope();
        }
        Tensor rows;
        if (frame.PackedSuffix is { } packedSuffix)
        {
            var prefix = cat([frame.Prefix[0].unsqueeze(0).expand(b, -1, -1), shifted], 1);
            prefix = prefix.Plus(positional.narrow(0, 0, prefix.shape[1]));
            rows = cat([prefix, packedSuffix.unsqueeze(0).expand(b, -1, -1)], 1);
        }
        else
        {
            long length = frame.LastEot + 1;
            var prompts = BuildPrompts(shifted, length).Plus(positional.narrow(0, 0, length));
            rows = prompts.reshape(b, -1, width).index_select(1, frame.PackedRows!);
        }
        return encoder.Encode(rows).MoveToOuterDisposeScope();
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
        if (disposing) frame.Dispose();
        base.Dispose(disposing);
    }
}
