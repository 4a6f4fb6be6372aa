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
/// CoOp's prompt configuration (TRAINER.COOP.*) plus the switches of the exact speed-ups of the
/// text side. The speed-ups never change the result beyond float32 reassociation; turning them
/// off gives CoOp's computation step for step.
/// </summary>
/// <param name="NCtx">Number of context vectors M (ignored when <paramref name="CtxInit"/> is set).</param>
/// <param name="CtxInit">
/// Init phrase such as "a photo of a": the context starts as its token embeddings and, as in
/// CoOp, M = its number of space-separated words ('_' counts as a space).
/// </param>
/// <param name="ClassSpecific">CSC: one context per class, (K, M, W) instead of (M, W).</param>
/// <param name="TruncateAtEot">
/// Run each prompt only up to its own EOT (causal attention, feature read at EOT: what follows
/// never matters), the classes packed without padding (<see cref="PackedTextEncoder"/>).
/// </param>
/// <param name="SharePrefix">
/// With a unified context and position End, compute SOT + context once per step and let every
/// class attend to it. Ignored (exactly) where it does not apply: CSC, Middle, Front.
/// </param>
public sealed record PromptOptions(
    int NCtx = 16,
    string? CtxInit = null,
    bool ClassSpecific = false,
    ClassTokenPosition Position = ClassTokenPosition.End,
    bool TruncateAtEot = true,
    bool SharePrefix = true)
{
    /// <summary>CoOp's computation with no speed-up: every class runs all context-length tokens.</summary>
    public PromptOptions Plain() => this with { TruncateAtEot = false, SharePrefix = false };

    public static ClassTokenPosition ParsePosition(string text) => text.ToLowerInvariant() switch
    {
        "end" => ClassTokenPosition.End,
        "middle" => ClassTokenPosition.Middle,
        "front" => ClassTokenPosition.Front,
        _ => throw new InvalidInputException($"class token position '{text}' is not one of: end, middle, front"),
    };
}
