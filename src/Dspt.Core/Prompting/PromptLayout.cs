namespace Dspt.Prompting;

/// <summary>Where the class-name tokens sit relative to the learned context (CoOp's CLASS_TOKEN_POSITION).</summary>
public enum ClassTokenPosition
{
    /// <summary>[SOT] ctx name . [EOT]: CoOp's default.</summary>
    End,
    /// <summary>[SOT] ctx[:M/2] name ctx[M/2:] . [EOT]</summary>
    Middle,
    /// <summary>[SOT] name ctx . [EOT]</summary>
    Front,
}

/// <summary>
/// CoOp's prompt layout (TRAINER.COOP.*): what a learned context means. The one declaration
/// used by the learner (<see cref="PromptOptions"/>), the run spec (manifest.json) and the
/// prompt file (prompt.json); both files write these fields flat (<see cref="PromptLayoutJson{T}"/>).
/// </summary>
/// <param name="NCtx">Number of context vectors M (ignored when <paramref name="CtxInit"/> is set).</param>
/// <param name="CtxInit">
/// Init phrase such as "a photo of a": the context starts as its token embeddings and, as in
/// CoOp, M = its number of space-separated words ('_' counts as a space).
/// </param>
/// <param name="ClassSpecific">CSC: one context per class, (K, M, W) instead of (M, W).</param>
/// <param name="Position">Where the class name goes.</param>
public sealed record PromptLayout(
    int NCtx = 16,
    string? CtxInit = null,
    bool ClassSpecific = false,
    ClassTokenPosition Position = ClassTokenPosition.End)
{
    public static ClassTokenPosition ParsePosition(string text) => text.ToLowerInvariant() switch
    {
        "end" => ClassTokenPosition.End,
        "middle" => ClassTokenPosition.Middle,
        "front" => ClassTokenPosition.Front,
        _ => throw new InvalidInputException($"class token position '{text}' is not one of: end, middle, front"),
    };
}
