namespace Dspt.Text;

/// <summary>
/// Reads the data tables under Text/Data (generated once by tools/gen_text_tables.py from Python's
/// own tables, so Python is not needed at run time): non-comment lines split on spaces.
/// </summary>
internal static class EmbeddedTable
{
    public static IEnumerable<string[]> Rows(string fileName)
    {
        string name = "Dspt.Text." + fileName;
        using var stream = typeof(EmbeddedTable).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from Dspt.Core");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && line[0] != '#')
                yield return line.Split(' ');
    }

    /// <summary>"41+30A" -> "A\u030A".</summary>
    public static string CodePoints(string plusJoinedHex) =>
        string.Concat(plusJoinedHex.Split('+').Select(h => char.ConvertFromUtf32(Convert.ToInt32(h, 16))));
}
