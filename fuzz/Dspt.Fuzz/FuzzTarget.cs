namespace Dspt.Fuzz;

/// <summary>
/// One reader under test. <see cref="Prepare"/> builds whatever the reader needs around the
/// mutated file in a work folder (once) and returns the seeds; <see cref="Run"/> writes one input
/// where the reader looks and calls it. The reader may succeed or throw
/// <see cref="InvalidInputException"/>; anything else is a finding.
/// </summary>
public sealed record FuzzTarget(string Name, string Description, Func<string, List<byte[]>> Prepare, Action<string, byte[]> Run);
