using System.Text;

namespace Dspt.Data;

/// <summary>Splits one CSV line (RFC 4180: fields may be quoted, "" is a quote inside quotes).</summary>
internal static class Csv
{
    public static void Split(string line, List<string> fields, string file, int lineNumber)
    {
        fields.Clear();
        if (line.IndexOf('"') < 0)
        {
            foreach (var f in line.Split(',')) fields.Add(f);
            return;
        }
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted)
            throw new InvalidInputException($"{file}: line {lineNumber}: unterminated quote (a field cannot span lines)");
        fields.Add(field.ToString());
    }
}
