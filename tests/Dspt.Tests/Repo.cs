namespace Dspt.Tests;

/// <summary>Locates the repository root and the shared fixtures (../shared from the root).</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Fixture(params string[] parts) =>
        Path.Combine([Shared, "fixtures", .. parts]) is var p && (File.Exists(p) || Directory.Exists(p))
            ? p
            : throw new FileNotFoundException($"fixture missing: {p} (tests read ../shared/fixtures relative to the repo root)");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dspt.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Dspt.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh temporary folder, removed when disposed.</summary>
    public static TempDir Temp() => new();
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("dspt-test-").FullName;
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
