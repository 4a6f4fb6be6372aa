using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>Tokenizes the texts CoOp builds: learnable prompts and zero-shot templates.</summary>
public static class CoOpPrompts
{
    /// <summary>CoOp's ZeroshotCLIP: <c>clip.tokenize(template.format(name))</c>, (K, context length).</summary>
    public static Tensor ZeroShot(ClipTokenizer tokenizer, IReadOnlyList<string> classNames, string template, int contextLength) =>
        tokenizer.TokenizeBatch([.. classNames.Select(n => template.Replace("{}", PromptTokens.PromptName(n)))], contextLength);
}
