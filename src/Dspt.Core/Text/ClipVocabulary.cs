namespace Dspt.Text;

/// <summary>
/// A parsed tokenizer vocabulary: the BPE merges in rank order and the token table.
/// <paramref name="Decoder"/> is indexed by id and holds null where no token has that id (an id
/// whose string a later duplicate took over, as Python's dict does).
/// </summary>
internal sealed record ClipVocabulary(
    string Source,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyDictionary<string, int> Encoder,
    IReadOnlyList<string?> Decoder,
    int SotId,
    int EotId)
{
    /// <summary>
    /// simple_tokenizer's vocabulary: the 256 byte symbols, the same with '&lt;/w&gt;', one joined
    /// entry per merges-file line (an empty line, which only a trailing newline leaves, gives the
    /// empty string as Python's <c>''.join(())</c> does), then the two special tokens.
    /// </summary>
    public static ClipVocabulary FromMergeLines(string source, IReadOnlyList<(string Left, string Right)?> lines)
    {
        var vocab = new List<string>(512 + lines.Count + 2);
        foreach (char c in ByteUnicode.Chars) vocab.Add(c.ToString());
        foreach (char c in ByteUnicode.Chars) vocab.Add(c + "</w>");
        var merges = new List<(string Left, string Right)>(lines.Count);
        foreach (var line in lines)
        {
            if (line is var (left, right))
            {
                merges.Add((left, right));
                vocab.Add(left + right);
            }
            else vocab.Add("");
        }
        vocab.Add(ClipPreTokenizer.StartOfText);
        vocab.Add(ClipPreTokenizer.EndOfText);

        var encoder = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        for (int id = 0; id < vocab.Count; id++) encoder[vocab[id]] = id;
        var decoder = new string?[vocab.Count];
        foreach (var (token, id) in encoder) decoder[id] = token;

        return new ClipVocabulary(source, merges, encoder, decoder,
            encoder[ClipPreTokenizer.StartOfText], encoder[ClipPreTokenizer.EndOfText]);
    }
}
