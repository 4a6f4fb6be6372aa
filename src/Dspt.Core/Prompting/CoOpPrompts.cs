using Dspt.Clip;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>Tokenizes the texts CoOp builds: learnable prompts and zero-shot templates.</summary>
public static class CoOpPrompts
{
    /// <summary>CoOp's ZeroshotCLIP: <c>clip.tokenize(template.format(name))</c>, (K, context length).</summary>
    public static Tensor ZeroShot(ClipTokenizer tokenizer, IReadOnlyList<string> classNames, string template, int contextLength) =>
        tokenizer.TokenizeBatch([.. classNames.Select(n => template.Replace("{}", PromptTokens.PromptName(n)))], contextLength);

    /// <summary>
    /// The zero-shot classifier: <c>encode_text</c> of those prompts, (K, D), unnormalised as
    /// <see cref="ClipModel.EncodeText"/> returns it, on <paramref name="device"/> (default: the model's).
    /// </summary>
    public static Tensor ZeroShotFeatures(ClipModel clip, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, string template, Device? device = null)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var tokens = ZeroShot(tokenizer, classNames, template, clip.Config.ContextLength).to(device ?? clip.TextProjection.device);
        return clip.EncodeText(tokens).MoveToOuterDisposeScope();
    }
}
