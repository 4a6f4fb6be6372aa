namespace Dspt.Data;

/// <summary>
/// The dataset root guard at the moment a file is opened: reading the dataset checks each entry
/// once, but a file can be swapped for a symbolic link (or a folder for a link out of the root)
/// afterwards, and `train --resume` reads images listed in a split file written earlier. Every
/// open goes through <see cref="Verify"/>, which resolves the path afresh (no cached folders).
/// </summary>
public sealed class DatasetRoot(string root)
{
    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    /// <summary>Returns <paramref name="path"/> if it is a regular file inside the root now, else throws naming it.</summary>
    public string Verify(string path)
    {
        var guard = new RootGuard(Root);
        return guard.Check(Root, path, out _) switch
        {
            EntryStatus.Ok => path,
            EntryStatus.Outside => throw new InvalidInputException(
                $"{path}: lies outside the dataset root {Root} now (a symbolic link leads out of it); every image must be inside the root"),
            EntryStatus.NotAFile => throw new InvalidInputException($"{path}: no longer a file (dataset root {Root})"),
            _ => throw new InvalidInputException($"{path}: missing (dataset root {Root}); the dataset changed after it was read"),
        };
    }
}
