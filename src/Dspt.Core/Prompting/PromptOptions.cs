namespace Dspt.Prompting;

/// <summary>
/// A learner's configuration: the prompt <see cref="Layout"/> plus the switches of the exact
/// speed-ups of the text side. The speed-ups never change the result beyond float32
/// reassociation; turning them off gives CoOp's computation step for step.
/// </summary>
/// <param name="Layout">CoOp's prompt layout (default: 16 context vectors, unified, class name at the end).</param>
/// <param name="TruncateAtEot">
/// Run each prompt only up to its own EOT (causal attention, feature read at EOT: what follows
/// never matters), the classes packed without padding (<see cref="PackedTextEncoder"/>).
/// </param>
/// <param name="SharePrefix">
/// With a unified context and position End, compute SOT + context once per step and let every
/// class attend to it. Ignored (exactly) where it does not apply: CSC, Middle, Front.
/// </param>
public sealed record PromptOptions(PromptLayout Layout, bool TruncateAtEot = true, bool SharePrefix = true)
{
    /// <summary>CoOp's default layout with both speed-ups.</summary>
    public PromptOptions() : this(new PromptLayout()) { }

    public int NCtx => Layout.NCtx;
    public string? CtxInit => Layout.CtxInit;
    public bool ClassSpecific => Layout.ClassSpecific;
    public ClassTokenPosition Position => Layout.Position;

    /// <summary>CoOp's computation with no speed-up: every class runs all context-length tokens.</summary>
    public PromptOptions Plain() => this with { TruncateAtEot = false, SharePrefix = false };
}
