namespace Dspt.Data;

/// <summary>Reads the small text files of dataset layouts, with errors that name the file.</summary>
internal static class TextLines
{
    static readonly System.Text.UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static string[] Read(string path, string what)
    {
        if (!File.Exists(path))
            throw new InvalidInputException($"{path}: not found ({what})");
        try
        {
            using var stream = Dspt.IO.InputFile.OpenRead(path);
            using var reader = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: true);
            var lines = new List<string>();
            while (reader.ReadLine() is { } line) lines.Add(line);
            return [.. lines];
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new InvalidInputException($"{path}: not UTF-8 text ({what}): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot be read ({what}): {e.Message}", e);
        }
    }

    /// <summary>
    /// A list with one name a line whose index is the label: trailing blank lines are dropped,
    /// a blank line inside would shift every later label, so it is an error, as is a repeat.
    /// </summary>
    public static List<string> ReadNameList(string path, string what, bool skipHeader = false)
    {
        var lines = Read(path, what).Select(l => l.Trim()).ToList();
        int first = skipHeader ? 1 : 0;
        int end = lines.Count;
        while (end > first && lines[end - 1].Length == 0) end--;
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = first; i < end; i++)
        {
            if (lines[i].Length == 0)
                throw new InvalidInputException($"{path}: line {i + 1} is empty; {what} needs one name a line (the line index is the label)");
            if (!index.TryAdd(lines[i], names.Count))
                throw new InvalidInputException($"{path}: line {i + 1}: '{lines[i]}' repeats line {index[lines[i]] + 1 + first}");
            names.Add(lines[i]);
        }
        if (names.Count == 0)
            throw new InvalidInputException($"{path}: no names in it ({what})");
        return names;
    }
}
