namespace Dspt.Text;

/// <summary>
/// simple_tokenizer's <c>bpe()</c> on token ids: start from one symbol per byte with '&lt;/w&gt;'
/// on the last, then keep merging every occurrence (left to right) of the adjacent pair with the
/// lowest rank until no pair has one. Ranks follow Python's dict: a merge listed twice keeps its
/// later rank. Symbols are named by their vocabulary ids (string and id correspond one to one in
/// the encoder), so the result needs no second lookup.
/// </summary>
internal sealed class BpeModel
{
    const string EndOfWord = "</w>";

    readonly int[] byteToken = new int[256], byteEndToken = new int[256];
    readonly Dictionary<long, int> rankOfPair;
    readonly (int Left, int Right, int Merged)[] mergeOfRank;

    public BpeModel(ClipVocabulary vocabulary)
    {
        var encoder = vocabulary.Encoder;
        int TokenOf(string symbol, string what) => encoder.TryGetValue(symbol, out int id) ? id
            : throw new InvalidInputException(
                $"{vocabulary.Source}: the vocabulary has no token \"{symbol}\", {what}; the vocabulary and its merges do not belong together");
        for (int b = 0; b < 256; b++)
        {
            string c = ByteUnicode.CharOf((byte)b).ToString();
            byteToken[b] = TokenOf(c, "a byte symbol");
            byteEndToken[b] = TokenOf(c + EndOfWord, "a byte symbol");
        }
        var merges = vocabulary.Merges;
        rankOfPair = new Dictionary<long, int>(merges.Count);
        mergeOfRank = new (int, int, int)[merges.Count];
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            int merged = TokenOf(left + right, $"the result of merge {rank + 1} (\"{left} {right}\")");
            // A part that is no token is never a symbol of a word, so its merge can never apply.
            if (!encoder.TryGetValue(left, out int l) || !encoder.TryGetValue(right, out int r)) continue;
            mergeOfRank[rank] = (l, r, merged);
            rankOfPair[PairKey(l, r)] = rank;
        }
    }

    /// <summary>The token ids of one pre-tokenized piece, given as its UTF-8 bytes.</summary>
    public List<int> Segment(ReadOnlySpan<byte> utf8)
    {
        var word = new List<int>(utf8.Length);
        for (int i = 0; i < utf8.Length; i++)
            word.Add(i == utf8.Length - 1 ? byteEndToken[utf8[i]] : byteToken[utf8[i]]);
        var next = new List<int>(word.Count);
        while (word.Count > 1)
        {
            int best = int.MaxValue;
            for (int i = 0; i + 1 < word.Count; i++)
                if (rankOfPair.TryGetValue(PairKey(word[i], word[i + 1]), out int rank) && rank < best)
                    best = rank;
            if (best == int.MaxValue) break;

            var (first, second, merged) = mergeOfRank[best];
            next.Clear();
            for (int i = 0; i < word.Count; i++)
            {
                if (word[i] == first && i + 1 < word.Count && word[i + 1] == second)
                {
                    next.Add(merged);
                    i++;
                }
                else next.Add(word[i]);
            }
            (word, next) = (next, word);
        }
        return word;
    }

    static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;
}
