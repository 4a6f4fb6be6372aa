using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// What the trainer optimises: one parameter (CoOp's context vectors) and the differentiable
/// map from image features (B, D) to class logits (B, K). Everything else is frozen.
/// </summary>
public sealed record TrainablePrompt(Parameter Context, Func<Tensor, Tensor> Logits)
{
    /// <summary>CoOp's prompt learner: the context vectors and exp(logit_scale) * cos(image, text).</summary>
    public static TrainablePrompt From(PromptLearner learner) => new(learner.Context, learner.Logits);
}
