using Dspt.Clip;
using Dspt.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// KgCoOp (trainers/kgcoop.py at htyao89/KgCoOp c43ccc32): CoOp's prompt learner plus a
/// knowledge-guided penalty W * (1 - mean_k cos(learned text feature_k, hand-crafted text
/// feature_k)) that keeps the learned class embeddings near those of the hand-crafted prompt
/// (the dataset's template). The hand-crafted features are encoded once, by the frozen model,
/// and L2-normalised. The penalty is added to whatever loss is trained (CE in KgCoOp; DSPT or
/// any other here), computed from the same text features as the logits.
/// </summary>
public sealed class KgCoOpLearner : IPromptModel, IDisposable
{
    /// <summary>KgCoOp's W (configs: scripts/base2new_train.sh passes 8.0).</summary>
    public const double DefaultWeight = 8.0;

    readonly Tensor weight;
    readonly Scalar one = 1.0;   // kept alive: native code reads it after the managed call returns

    public PromptLearner Prompt { get; }
    /// <summary>(K, embed) L2-normalised features of the hand-crafted prompts (KgCoOp's prompt_learner.text_features).</summary>
    public Tensor HandcraftedFeatures { get; }
    public double Weight { get; }
    /// <summary>The template of the hand-crafted prompts, when built from one (<see cref="Create"/>).</summary>
    public string? Template { get; init; }

    /// <param name="handcraftedTokens">(K, context length) tokens of the hand-crafted prompt of every class.</param>
    public KgCoOpLearner(PromptLearner prompt, Tensor handcraftedTokens, double weight)
    {
        if (handcraftedTokens.dim() != 2 || handcraftedTokens.shape[0] != prompt.ClassCount)
            throw new InvalidInputException($"hand-crafted prompts have shape [{string.Join(", ", handcraftedTokens.shape)}], expected [{prompt.ClassCount}, context length]");
        if (!double.IsFinite(weight) || weight < 0)
            throw new InvalidInputException($"KgCoOp weight {weight}: expected a finite number >= 0");
        Prompt = prompt;
        Weight = weight;
        this.weight = tensor(weight, prompt.Context.dtype, prompt.Context.device);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var features = prompt.Clip.EncodeText(handcraftedTokens.to(prompt.Context.device));
        HandcraftedFeatures = (features / features.norm(-1, keepdim: true)).MoveToOuterDisposeScope();
    }

    /// <summary>KgCoOp with the hand-crafted prompts <c>template.format(name)</c> ('_' -> ' ' in names, as KgCoOp does).</summary>
    public static KgCoOpLearner Create(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames,
        PromptOptions options, string template, double weight, long seed) =>
        new(new PromptLearner(clip, tokenizer, classNames, options, seed),
            CoOpPrompts.ZeroShot(tokenizer, classNames, template, clip.Config.ContextLength), weight) { Template = template };

    /// <summary>1 - mean_k cos(text_k, hand-crafted_k) (KgCoOp's score, before the weight); CosineSimilarity eps 1e-7.</summary>
    public Tensor Score(Tensor textFeatures)
    {
        using var scope = NewDisposeScope();
        var text = textFeatures / textFeatures.norm(-1, keepdim: true);
        var cos = nn.functional.cosine_similarity(text, HandcraftedFeatures.to(text.dtype), 1, 1e-7);
        return cos.mean().SubtractedFrom(one).MoveToOuterDisposeScope();
    }

    public string Kind => "kgcoop";
    public bool ConsumesPixels => false;
    public IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Tensor)> Trainable => Prompt.Trainable;
    PromptOutput IPromptModel.Forward(Tensor input)
    {
        var (logits, penalty) = Forward(input);
        return new(logits, penalty);
    }

    /// <summary>Logits (B, K) and the weighted penalty W * score from one text encoding.</summary>
    public (Tensor Logits, Tensor Penalty) Forward(Tensor imageFeatures)
    {
        using var scope = NewDisposeScope();
        var text = Prompt.TextFeatures();
        var logits = Prompt.Clip.Logits(imageFeatures.to(text.dtype), text);
        var penalty = Score(text).mul(weight);
        return (logits.MoveToOuterDisposeScope(), penalty.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        weight.Dispose();
        HandcraftedFeatures.Dispose();
        Prompt.Dispose();
        one.Dispose();
    }
}
