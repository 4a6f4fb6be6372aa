namespace Dspt.Data;

/// <summary>
/// Lists the images of a class folder like Dassl's listdir_nohidden (hidden files are left out),
/// restricted to the formats SkiaSharp decodes, in ordinal order so that a listing never depends
/// on the file system.
/// </summary>
internal static class ImageListing
{
    static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"];

    public static bool IsImage(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>File names (not paths) of the images in <paramref name="dir"/>; counts the other
    /// visible files in <paramref name="otherFiles"/>.</summary>
    public static List<string> Images(string dir, ref int otherFiles)
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(dir))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.')) continue;
            RequireUtf8(dir, name);
            if (IsImage(name)) names.Add(name);
            else otherFiles++;
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>
    /// .NET decodes a file name that is not UTF-8 with U+FFFD in place of the bad bytes, and that
    /// name then opens nothing (or another file); it is reported instead of being used.
    /// </summary>
    static void RequireUtf8(string dir, string name)
    {
        if (name.Contains('\uFFFD'))
            throw new InvalidInputException($"{dir}: the name '{name}' is not valid UTF-8 (shown with U+FFFD for the bad bytes); rename it, Dspt reads UTF-8 file names only");
    }

    /// <summary>Visible sub-folders, ordinal order (Python's sorted() on the names).</summary>
    public static List<string> Folders(string dir)
    {
        var names = Directory.EnumerateDirectories(dir).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).ToList();
        foreach (var n in names) RequireUtf8(dir, n);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary><see cref="Folders"/>, refusing the folder or any sub-folder that is a link
    /// leaving the root.</summary>
    public static List<string> CheckedFolders(RootGuard guard, string dir)
    {
        if (!guard.FolderIsInside(dir))
            throw new InvalidInputException($"{dir}: a link that leaves the dataset root {guard.Root}; nothing outside the root is read");
        var folders = Folders(dir);
        foreach (var f in folders)
            if (!guard.FolderIsInside(Path.Combine(dir, f)))
                throw new InvalidInputException($"{Path.Combine(dir, f)}: a link that leaves the dataset root {guard.Root}; nothing outside the root is read");
        return folders;
    }
}
