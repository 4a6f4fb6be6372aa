namespace Dspt.IO;

/// <summary>
/// An instance of a TorchScript class (<c>__torch__.*</c>) as read from an archive's
/// <c>data.pkl</c>: only its class name and the attribute dict that the pickle's BUILD gave it.
/// The class's code (under <c>code/</c>) is never read, so no method, <c>__setstate__</c> included,
/// can run.
/// </summary>
public sealed class ScriptObject(string className)
{
    public string ClassName { get; } = className;

    /// <summary>Null until BUILD sets it; a module's parameters, buffers and submodules by name.</summary>
    public PickleDict? Attributes { get; set; }
}
