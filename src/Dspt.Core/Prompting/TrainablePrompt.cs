using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// The simplest prompt model: one trainable tensor named <c>ctx</c> and a differentiable map from
/// image features (B, D) to logits (B, K). Tests and CoOp-shaped callers use it.
/// </summary>
public sealed record TrainablePrompt(Parameter Context, Func<Tensor, Tensor> Logits) : IPromptModel
{
    public string Kind => "coop";
    public bool ConsumesPixels => false;
    public IReadOnlyList<(string Name, Parameter Tensor)> Trainable => [("ctx", Context)];
    public PromptOutput Forward(Tensor input) => new(Logits(input));
    /// <summary>Owns nothing: the parameter belongs to the caller.</summary>
    public void Dispose() { }

    /// <summary>CoOp's prompt learner: the context vectors and exp(logit_scale) * cos(image, text).</summary>
    public static TrainablePrompt From(PromptLearner learner) => new(learner.Context, learner.Logits);
}
