using System.IO.Compression;
using System.Text;
using Dspt.IO;

namespace Dspt.Text;

/// <summary>
/// Writes a small BPE vocabulary in the format of bpe_simple_vocab_16e6.txt.gz (gzip; a
/// '#version' header line, then one "left right" merge per line) in which every given word, and
/// every punctuation piece, is a single token. Text outside the list still encodes through the
/// byte symbols. For worlds whose captions use a few hundred words, where the 49 408-token CLIP
/// vocabulary would only make the token embedding large.
/// </summary>
public static class BpeVocabularyBuilder
{
    public const string Header = "#version: 0.2";

    /// <summary>
    /// Words go through the tokenizer's own cleaning and split first, so "Dog" gives "dog" and a
    /// word the split cuts (e.g. "don't" -> "don", "'t") gives one token per piece. The merges
    /// depend only on the set of pieces, not on their order or repetition. The file has no
    /// trailing newline, so simple_tokenizer reads exactly these merges (a final newline would
    /// add an empty vocabulary entry there).
    /// </summary>
    public static void Write(string path, IEnumerable<string> words)
    {
        var merges = MergesFor(Pieces(words));
        var text = new StringBuilder(Header);
        foreach (var (left, right) in merges) text.Append('\n').Append(left).Append(' ').Append(right);
        byte[] utf8 = Encoding.UTF8.GetBytes(text.ToString());
        AtomicFile.Write(path, stream =>
        {
            using var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
            gzip.Write(utf8);
        });
    }

    internal static SortedSet<string> Pieces(IEnumerable<string> words)
    {
        var pieces = new SortedSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var word in words)
        {
            ArgumentNullException.ThrowIfNull(word);
            var split = ClipPreTokenizer.Split(ClipTextCleaner.Clean(word));
            if (split.Count == 0)
                throw new InvalidInputException($"vocabulary word #{index} (\"{word}\") holds no token: it is empty or only whitespace");
            foreach (var piece in split)
                if (piece is not (ClipPreTokenizer.StartOfText or ClipPreTokenizer.EndOfText))
                    pieces.Add(piece);
            index++;
        }
        return pieces;
    }

    /// <summary>
    /// Each piece in turn: segment it with the merges so far and, while it is more than one
    /// symbol, append the left-to-right chain of merges that joins its segments. Appended merges
    /// rank after all earlier ones, so pieces already made single tokens stay single. The first
    /// appended pair is new and present, so every round shortens the piece and the loop ends.
    /// </summary>
    internal static List<(string Left, string Right)> MergesFor(IEnumerable<string> pieces)
    {
        var merges = new List<(string Left, string Right)>();
        var known = new HashSet<(string, string)>();
        foreach (var piece in pieces)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(piece);
            while (true)
            {
                var vocabulary = ClipVocabulary.FromMergeLines("(words)", [.. merges.Select(m => ((string, string)?)m)]);
                var segments = new BpeModel(vocabulary).Segment(utf8).Select(id => vocabulary.Decoder[id]!).ToList();
                if (segments.Count == 1) break;
                string joined = segments[0];
                foreach (var next in segments.Skip(1))
                {
                    if (known.Add((joined, next))) merges.Add((joined, next));
                    joined += next;
                }
            }
            if (merges.Count > BpeFileReader.MaxMerges)
                throw new InvalidInputException($"the words need more than {BpeFileReader.MaxMerges} merges, more than a CLIP vocabulary holds");
        }
        return merges;
    }
}
