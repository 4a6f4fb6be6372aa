namespace Dspt.Data;

/// <summary>What <see cref="RootGuard.Check"/> found for one entry.</summary>
internal enum EntryStatus { Ok, Outside, Missing, NotAFile }

/// <summary>
/// Confines every dataset entry to one folder. An entry is resolved lexically
/// (<see cref="Path.GetFullPath(string, string)"/>) and must stay under the root; then every
/// symbolic link on its way is followed and the real path must stay under the root's real path
/// too. The lexically normalised relative path is what callers keep, so what is later opened is
/// exactly what was checked here.
/// </summary>
internal sealed class RootGuard
{
    const int MaxLinkHops = 40; // POSIX SYMLOOP_MAX

    readonly string realRoot;
    // Real (link-free) path of each lexical directory seen so far: datasets hold many files per
    // folder, so each entry then costs one dictionary lookup and one lstat.
    readonly Dictionary<string, string> realDirs = new(StringComparer.Ordinal);

    public string Root { get; }

    public RootGuard(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (!Directory.Exists(Root))
            throw new InvalidInputException($"dataset root '{Root}' does not exist or is not a folder");
        realRoot = Resolve(Root, 0);
    }

    /// <summary>True when <paramref name="path"/> (absolute, normalised) is the root or below it.</summary>
    public bool Contains(string path) => IsUnder(path, Root);

    /// <summary>
    /// Checks <paramref name="entry"/> (relative to <paramref name="baseDir"/>, or absolute) and
    /// gives its path relative to the root with '/' separators.
    /// </summary>
    public EntryStatus Check(string baseDir, string entry, out string relative)
    {
        relative = "";
        if (entry.Length == 0 || entry.Contains('\0')) return EntryStatus.Missing;
        string full = Path.GetFullPath(entry, baseDir);
        if (!IsUnder(full, Root)) return EntryStatus.Outside;
        if (full.Length == Root.Length) return EntryStatus.NotAFile;
        relative = full[(Root.EndsWith(Path.DirectorySeparatorChar) ? Root.Length : Root.Length + 1)..]
            .Replace(Path.DirectorySeparatorChar, '/');

        string lexicalDir = Path.GetDirectoryName(full)!;
        if (!realDirs.TryGetValue(lexicalDir, out var realDir))
            realDirs[lexicalDir] = realDir = Resolve(lexicalDir, 0);
        if (!IsUnder(realDir, realRoot)) return EntryStatus.Outside;

        var leaf = new FileInfo(Path.Join(realDir, Path.GetFileName(full)));
        var attributes = leaf.Attributes; // one lstat; -1 when nothing is there
        if ((int)attributes == -1) return EntryStatus.Missing;
        if ((attributes & FileAttributes.ReparsePoint) == 0 || leaf.LinkTarget is not string target)
            return leaf.Exists && Dspt.IO.InputFile.IsRegular(leaf.FullName) ? EntryStatus.Ok : EntryStatus.NotAFile;

        string real = Resolve(Path.IsPathRooted(target) ? target : Path.Join(realDir, target), 1);
        if (!IsUnder(real, realRoot)) return EntryStatus.Outside;
        if (File.Exists(real)) return Dspt.IO.InputFile.IsRegular(real) ? EntryStatus.Ok : EntryStatus.NotAFile;
        return Directory.Exists(real) ? EntryStatus.NotAFile : EntryStatus.Missing;
    }

    /// <summary>
    /// Checks a folder found while listing (a class folder, an images/ folder): it must not be,
    /// or lie behind, a link that leaves the root.
    /// </summary>
    public bool FolderIsInside(string folder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!IsUnder(full, Root)) return false;
        if (!realDirs.TryGetValue(full, out var real))
            realDirs[full] = real = Resolve(full, 0);
        return IsUnder(real, realRoot);
    }

    /// <summary>The path with every symbolic link replaced by its target, component by component
    /// (so ".." after a link means the link target's parent, as the kernel does).</summary>
    static string Resolve(string absolute, int hops)
    {
        string current = Path.GetPathRoot(absolute)!;
        foreach (var part in absolute[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { current = Path.GetDirectoryName(current) ?? current; continue; }
            string next = Path.Join(current, part);
            var info = new FileInfo(next);
            var attributes = info.Attributes;
            if ((int)attributes != -1 && (attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is string target)
            {
                if (++hops > MaxLinkHops)
                    throw new InvalidInputException($"too many levels of symbolic links at '{next}'");
                next = Resolve(Path.IsPathRooted(target) ? target : Path.Join(current, target), hops);
            }
            current = next;
        }
        return current;
    }

    static bool IsUnder(string path, string root) =>
        path.Length >= root.Length
        && path.StartsWith(root, StringComparison.Ordinal)
        && (path.Length == root.Length || path[root.Length] == Path.DirectorySeparatorChar || root.EndsWith(Path.DirectorySeparatorChar));
}
