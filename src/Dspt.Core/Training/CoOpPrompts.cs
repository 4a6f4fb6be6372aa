using Dspt.Prompting;
using Dspt.Text;
using static TorchSharp.torch;

namespace Dspt.Training;

/// <summary>Tokenizes the texts CoOp builds: learnable prompts and zero-shot templates.</summary>
public static class CoOpPrompts
{
    /// <summary>
    /// CoOp's PromptLearner: <c>clip.tokenize(prefix + " " + name + ".")</c> per class, with
    /// '_' in names read as spaces, and <c>name_lens = len(tokenizer.encode(name))</c>.
    /// </summary>
    public static PromptTokens Tokens(ClipTokenizer tokenizer, IReadOnlyList<string> classNames, PromptOptions options, int contextLength)
    {
        string prefix = PromptTokens.Prefix(options);
        var names = classNames.Select(PromptTokens.PromptName).ToList();
        return new PromptTokens(
            tokenizer.TokenizeBatch([.. names.Select(n => $"{prefix} {n}.")], contextLength),
            [.. names.Select(n => tokenizer.Encode(n).Count)]);
    }

    /// <summary>CoOp's ZeroshotCLIP: <c>clip.tokenize(template.format(name))</c>, (K, context length).</summary>
    public static Tensor ZeroShot(ClipTokenizer tokenizer, IReadOnlyList<string> classNames, string template, int contextLength) =>
        tokenizer.TokenizeBatch([.. classNames.Select(n => template.Replace("{}", PromptTokens.PromptName(n)))], contextLength);
}
