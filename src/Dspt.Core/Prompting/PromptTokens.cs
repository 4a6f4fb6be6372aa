using Dspt.Text;
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
    /// <summary>
    /// CoOp's tokenization: names with '_' -> ' ', prompt = prefix + " " + name + "." through
    /// clip.tokenize (no truncation: a prompt that does not fit is an error naming the class),
    /// name lengths = len(encode(name)).
    /// </summary>
    public static PromptTokens Create(ClipTokenizer tokenizer, IReadOnlyList<string> classNames, PromptOptions options, int contextLength)
    {
        string prefix = Prefix(options);
        var rows = new long[classNames.Count * (long)contextLength];
        var nameLengths = new int[classNames.Count];
        for (int k = 0; k < classNames.Count; k++)
        {
            string name = PromptName(classNames[k]);
            nameLengths[k] = tokenizer.Encode(name).Count;
            try
            {
                tokenizer.Tokenize($"{prefix} {name}.", contextLength).CopyTo(rows, k * (long)contextLength);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"class '{classNames[k]}': its prompt does not fit: {e.Message}", e);
            }
        }
        return new PromptTokens(tensor(rows, [classNames.Count, contextLength]), nameLengths);
    }

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
