using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// The tokenized CoOp prompts, one row per class: <c>clip.tokenize(prefix + " " + name + ".")</c>
/// (SOT, prefix, name, ".", EOT, zero padding) and each name's BPE length without SOT/EOT
/// (CoOp's <c>name_lens</c>, used by the middle and front positions).
/// </summary>
/// <param name="Tokens">(K, context length) int64.</param>
/// <param name="NameLengths">K entries.</param>
public sealed record PromptTokens(Tensor Tokens, IReadOnlyList<int> NameLengths)
{
    /// <summary>CoOp's prompt prefix: the init phrase ('_' -> ' ') or M times "X".</summary>
    public static string Prefix(PromptOptions options) =>
        string.IsNullOrEmpty(options.CtxInit)
            ? string.Join(" ", Enumerable.Repeat("X", options.NCtx))
            : options.CtxInit.Replace('_', ' ');

    /// <summary>CoOp: <c>n_ctx = len(ctx_init.split(" "))</c> with an init phrase, else N_CTX.</summary>
    public static int ContextCount(PromptOptions options) =>
        string.IsNullOrEmpty(options.CtxInit) ? options.NCtx : Prefix(options).Split(' ').Length;

    /// <summary>CoOp replaces '_' by ' ' in class names before building prompts.</summary>
    public static string PromptName(string className) => className.Replace('_', ' ');
}
