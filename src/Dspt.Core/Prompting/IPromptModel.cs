using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// The seam between prompt learners and everything that trains, saves or evaluates them. A
/// prompt model declares its trainable tensors by name (its whole learned state: everything
/// else is rebuilt from the frozen CLIP model and the class names), what it consumes (cached
/// image features, or pixels for learners that prompt the image tower), and its logits for a
/// batch, with an optional penalty the trainer adds to the loss (KgCoOp's knowledge-guided term).
/// </summary>
public interface IPromptModel : IDisposable
{
    /// <summary>The learner's registry name (<see cref="LearnerRegistry"/>): coop, cocoop, kgcoop.</summary>
    string Kind { get; }

    /// <summary>False: <see cref="Forward"/> takes (B, D) image features (cacheable); true: (B, 3, R, R) pixels.</summary>
    bool ConsumesPixels { get; }

    /// <summary>The tensors the trainer optimises, named as in the learner's reference state dict.</summary>
    IReadOnlyList<(string Name, Parameter Tensor)> Trainable { get; }

    /// <summary>Logits (B, K) for a batch and the penalty (a scalar, or null) to add to its loss.</summary>
    PromptOutput Forward(Tensor input);

    /// <summary>How many inputs to score at once without gradients (per-image prompts cost K text encodings each).</summary>
    int InferenceBatch => 256;

    /// <summary>Copies saved values into the trainable tensors; the names and shapes must be exactly this model's.</summary>
    void LoadTrainable(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var names = Trainable.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        var given = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        if (!names.SequenceEqual(given))
            throw new InvalidInputException($"{source}: holds tensors {string.Join(", ", given.Select(n => $"'{n}'"))}; the {Kind} learner has {string.Join(", ", names.Select(n => $"'{n}'"))}");
        using var _ = no_grad();
        foreach (var (name, p) in Trainable)
        {
            var t = tensors[name];
            if (!t.shape.SequenceEqual(p.shape) || !t.is_floating_point())
                throw new InvalidInputException($"{source}: tensor '{name}' has shape [{string.Join(", ", t.shape)}] ({t.dtype}), the {Kind} learner's is floating [{string.Join(", ", p.shape)}]");
            p.copy_(t);
        }
    }
}

/// <summary>What <see cref="IPromptModel.Forward"/> returns.</summary>
public sealed record PromptOutput(Tensor Logits, Tensor? Penalty = null);
