namespace Dspt.Fuzz;

/// <summary>The project's reference fixtures (../shared/fixtures beside the repository), read at
/// run time as extra seeds when present; the harness works without them.</summary>
public static class SharedFixtures
{
    static readonly string? Root = Find();

    static string? Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Dspt.sln")))
                {
                    string fixtures = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures"));
                    return Directory.Exists(fixtures) ? fixtures : null;
                }
        return null;
    }

    /// <summary>The file's bytes, or nothing when the fixtures are not there.</summary>
    public static IEnumerable<byte[]> Read(params string[] parts)
    {
        if (Root == null) yield break;
        string path = Path.Combine([Root, .. parts]);
        if (File.Exists(path)) yield return File.ReadAllBytes(path);
    }

    public static IEnumerable<byte[]> ReadAll(string folder, string pattern)
    {
        if (Root == null || !Directory.Exists(Path.Combine(Root, folder))) yield break;
        foreach (var f in Directory.GetFiles(Path.Combine(Root, folder), pattern).Order(StringComparer.Ordinal))
            yield return File.ReadAllBytes(f);
    }
}
