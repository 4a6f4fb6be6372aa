using System.Collections.Concurrent;
using System.Text;
using TorchSharp;

namespace Dspt.Text;

/// <summary>
/// CLIP's tokenizer, id for id as OpenAI's <c>simple_tokenizer.SimpleTokenizer</c> and
/// <c>clip.tokenize</c> (commit d05afc43) give them, with ftfy.fix_text taken as the identity:
/// html.unescape twice, strip, whitespace collapsed, Python lower-casing, the split pattern,
/// then byte-level BPE. Apart from its cache (a concurrent one) it is immutable after loading,
/// so one instance can be shared between threads.
/// </summary>
public sealed class ClipTokenizer
{
    public const int DefaultContextLength = 77;

    // Python's cache grows without bound; this one stops growing here so a long-lived instance
    // fed unbounded text keeps a bounded footprint.
    const int MaxCachedPieces = 100_000;

    readonly ClipVocabulary vocabulary;
    readonly BpeModel bpe;
    readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);

    internal ClipTokenizer(ClipVocabulary vocabulary)
    {
        this.vocabulary = vocabulary;
        bpe = new BpeModel(vocabulary);
    }

    /// <summary>
    /// Reads bpe_simple_vocab_16e6.txt.gz or any file of that format (gzip or plain), a Hugging
    /// Face vocab.json (merges.txt beside it), or a directory holding one of them.
    /// </summary>
    public static ClipTokenizer Load(string path) => new(BpeFileReader.Read(path));

    /// <summary>
    /// The vocabulary to load: <paramref name="vocabOption"/> when given, else one found next to
    /// the checkpoint (inside it when it is a Hugging Face model directory). Throws an
    /// <see cref="InvalidInputException"/> that says which file to get and where it looked.
    /// </summary>
    public static string Resolve(string? vocabOption, string? modelPath) => ClipVocabularyLocator.Resolve(vocabOption, modelPath);

    /// <summary>The file the vocabulary was read from.</summary>
    public string Source => vocabulary.Source;

    public int SotId => vocabulary.SotId;
    public int EotId => vocabulary.EotId;
    public int VocabSize => vocabulary.Decoder.Count;

    /// <summary>SimpleTokenizer.encode: BPE ids without SOT/EOT.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var piece in ClipPreTokenizer.Split(ClipTextCleaner.Clean(text)))
            ids.AddRange(PieceIds(piece));
        return ids.ToArray();
    }

    /// <summary>SOT + <see cref="Encode"/> + EOT, unpadded.</summary>
    public int[] EncodeWithSpecials(string text) => [SotId, .. Encode(text), EotId];

    /// <summary>
    /// One row of clip.tokenize without the padding: <see cref="EncodeWithSpecials(string)"/>
    /// when it fits; when longer than <paramref name="contextLength"/>, its first
    /// <paramref name="contextLength"/> ids with the last replaced by EOT if
    /// <paramref name="truncate"/>, else an error.
    /// </summary>
    public int[] EncodeWithSpecials(string text, int contextLength, bool truncate)
    {
        if (contextLength < 2)
            throw new InvalidInputException($"context length {contextLength} is too small: it must hold at least the start and end tokens (2)");
        int[] ids = EncodeWithSpecials(text);
        if (ids.Length <= contextLength) return ids;
        if (!truncate)
            throw new InvalidInputException(
                $"Input \"{Shorten(text)}\" is too long for context length {contextLength}: it has {ids.Length} tokens " +
                $"with the start and end tokens, at most {contextLength} fit; shorten it or truncate (--truncate)");
        int[] cut = ids[..contextLength];
        cut[^1] = EotId;
        return cut;
    }

    /// <summary>clip.tokenize for one text: <paramref name="contextLength"/> ids, zero-padded.</summary>
    public long[] Tokenize(string text, int contextLength = DefaultContextLength, bool truncate = false)
    {
        var row = new long[contextLength];
        var ids = EncodeWithSpecials(text, contextLength, truncate);
        for (int i = 0; i < ids.Length; i++) row[i] = ids[i];
        return row;
    }

    /// <summary>clip.tokenize: an int64 tensor [N, contextLength], zero-padded.</summary>
    public torch.Tensor TokenizeBatch(IReadOnlyList<string> texts, int contextLength = DefaultContextLength, bool truncate = false)
    {
        var flat = new long[texts.Count * (long)contextLength];
        for (int n = 0; n < texts.Count; n++)
            Tokenize(texts[n], contextLength, truncate).CopyTo(flat, n * (long)contextLength);
        return torch.tensor(flat, [texts.Count, contextLength], torch.int64);
    }

    /// <summary>SimpleTokenizer.decode: bytes back to text, each '&lt;/w&gt;' becoming a space.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            string token = id >= 0 && id < vocabulary.Decoder.Count && vocabulary.Decoder[id] is { } t ? t
                : throw new InvalidInputException($"token id {id} is not in the vocabulary of {Source} ({VocabSize} ids)");
            foreach (char c in token)
            {
                int b = ByteUnicode.ByteOf(c);
                if (b < 0) throw new InvalidInputException($"{Source}: token {id} (\"{token}\") holds '{c}', which is not a byte symbol, so it cannot be decoded");
                bytes.Add((byte)b);
            }
        }
        // Encoding.UTF8 replaces each maximal invalid subsequence with U+FFFD, as Python's
        // errors="replace" does.
        return Encoding.UTF8.GetString([.. bytes]).Replace("</w>", " ", StringComparison.Ordinal);
    }

    /// <summary>The vocabulary string of an id (simple_tokenizer's decoder), for diagnostics.</summary>
    internal string? TokenText(int id) => id >= 0 && id < vocabulary.Decoder.Count ? vocabulary.Decoder[id] : null;

    int[] PieceIds(string piece)
    {
        // simple_tokenizer pre-seeds its cache so the literal special tokens map straight to their ids.
        if (piece == ClipPreTokenizer.StartOfText) return [SotId];
        if (piece == ClipPreTokenizer.EndOfText) return [EotId];
        if (cache.TryGetValue(piece, out var cached)) return cached;
        int[] ids = [.. bpe.Segment(Encoding.UTF8.GetBytes(piece))];
        if (cache.Count < MaxCachedPieces) cache.TryAdd(piece, ids);
        return ids;
    }

    static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
