namespace Dspt.Data;

/// <summary>
/// One image and its class index. <see cref="Path"/> is relative to the dataset root with '/'
/// separators (or a virtual id for in-memory datasets); open it as
/// <c>System.IO.Path.Combine(dataset.Root, item.Path)</c>.
/// </summary>
public sealed record DataItem(string Path, int Label);
