namespace Dspt.Cli;

/// <summary>
/// What an unexpected exception leaves behind: one line on the console and the full trace in a
/// file under the cache (~/.cache/dspt/crashes, XDG_CACHE_HOME respected; the temp folder if that
/// cannot be written), so a user can attach it to a bug report.
/// </summary>
public static class CrashReport
{
    public static string Directory()
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "dspt", "crashes");
    }

    /// <returns>The file the trace went to, or null when none could be written.</returns>
    public static string? Write(Exception error, string[] args)
    {
        string text = $"dspt {DsptVersion.Dspt} (TorchSharp {DsptVersion.TorchSharp}), {DateTime.UtcNow:O}\n"
            + $"arguments: {string.Join(' ', args)}\n\n{error}\n";
        string name = $"crash-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.txt";
        foreach (var dir in new[] { Directory(), Path.Combine(Path.GetTempPath(), "dspt-crashes") })
        {
            try
            {
                System.IO.Directory.CreateDirectory(dir);
                string path = Path.Combine(dir, name);
                File.WriteAllText(path, text);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }
}
