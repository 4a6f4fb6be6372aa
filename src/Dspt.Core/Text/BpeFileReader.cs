using Dspt.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Dspt.Text;

/// <summary>
/// Reads the two vocabulary forms: OpenAI's merges file (bpe_simple_vocab_16e6.txt.gz, gzip or
/// plain) and a Hugging Face vocab.json with merges.txt beside it. Both read merges the way the
/// Python code does, <c>lines[1 : 49152 - 256 - 2 + 1]</c>: the real file holds 262 144 merges but
/// CLIP's 49 408-token vocabulary uses the first 48 894; a smaller file gives all of its lines.
/// </summary>
internal static class BpeFileReader
{
    public const int MaxMerges = 49152 - 256 - 2;

    public static ClipVocabulary Read(string path)
    {
        if (Directory.Exists(path)) path = ClipVocabularyLocator.FileIn(path);
        if (!File.Exists(path))
            throw new InvalidInputException($"tokenizer vocabulary file not found: {path}");
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadHuggingFace(path) : ReadMergesFile(path);
    }

    static ClipVocabulary ReadMergesFile(string path)
    {
        var lines = ReadLines(path, MaxMerges + 1, out bool reachedEnd);
        if (lines.Count == 1 && lines[0].Length == 0)
            throw new InvalidInputException($"{path}: empty file; expected a BPE merges file (a '#version' header line, then one 'left right' merge per line)");
        CheckHeader(path, lines[0]);
        var merges = new List<(string, string)?>(lines.Count - 1);
        for (int i = 1; i < lines.Count; i++)
        {
            // A trailing newline leaves one empty last line, which simple_tokenizer keeps as an
            // empty vocabulary entry; an empty line anywhere else means a damaged file.
            bool isFinalSegment = i == lines.Count - 1 && reachedEnd;
            merges.Add(isFinalSegment && lines[i].Length == 0 ? null : ParseMerge(path, i + 1, lines[i]));
        }
        // OpenAI's file is known to hold 262 144 merges; fewer means a damaged copy, which would
        // give a smaller vocabulary and other token ids than the model was trained with.
        if (Path.GetFileName(path) == ClipVocabularyLocator.OpenAiFileName && merges.Count(m => m != null) < MaxMerges)
            throw new InvalidInputException($"{path}: holds {merges.Count(m => m != null)} merges; CLIP's {ClipVocabularyLocator.OpenAiFileName} needs {MaxMerges} (49152 - 256 - 2) for its 49 408 tokens (truncated file?)");
        return ClipVocabulary.FromMergeLines(path, merges);
    }

    static ClipVocabulary ReadHuggingFace(string vocabPath)
    {
        string mergesPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vocabPath))!, "merges.txt");
        if (!File.Exists(mergesPath))
            throw new InvalidInputException($"{vocabPath}: a Hugging Face vocab.json needs merges.txt beside it, and {mergesPath} does not exist");

        // CLIPTokenizer reads merges as read().strip().split("\n")[1 : 48895].
        string text = ClipTextCleaner.PythonStrip(ReadText(mergesPath));
        if (text.Length == 0) throw new InvalidInputException($"{mergesPath}: empty file; expected a '#version' header line, then one 'left right' merge per line");
        var lines = text.Split('\n');
        CheckHeader(mergesPath, lines[0]);
        var merges = lines.Skip(1).Take(MaxMerges).Select((line, i) => ParseMerge(mergesPath, i + 2, line)).ToList();

        var encoder = ReadVocabJson(vocabPath);
        int maxId = encoder.Values.Max();
        // Ids are the rows of the embedding, 0..n-1; a larger one would size the table from the file.
        if (maxId >= encoder.Count)
            throw new InvalidInputException($"{vocabPath}: id {maxId} (of \"{encoder.First(kv => kv.Value == maxId).Key}\") is not below the number of entries ({encoder.Count}); ids must be 0..{encoder.Count - 1}");
        int vocabSize = maxId + 1;
        var decoder = new string?[vocabSize];
        foreach (var (token, id) in encoder)
        {
            if (decoder[id] is { } other)
                throw new InvalidInputException($"{vocabPath}: entries \"{other}\" and \"{token}\" both have id {id}; ids must be unique");
            decoder[id] = token;
        }
        int Special(string token) => encoder.TryGetValue(token, out int id) ? id
            : throw new InvalidInputException($"{vocabPath}: has no entry for the special token \"{token}\"");
        return new ClipVocabulary(vocabPath, merges, encoder, decoder,
            Special(ClipPreTokenizer.StartOfText), Special(ClipPreTokenizer.EndOfText));
    }

    static Dictionary<string, int> ReadVocabJson(string path)
    {
        using (var doc = JsonFile.Parse(path))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidInputException($"{path}: expected a JSON object mapping each token to its id, got {doc.RootElement.ValueKind}");
            var encoder = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                    throw new InvalidInputException($"{path}: entry \"{entry.Name}\" should map to a non-negative integer id, got {entry.Value.GetRawText()}");
                encoder[entry.Name] = id;
            }
            if (encoder.Count == 0) throw new InvalidInputException($"{path}: the vocabulary is empty");
            return encoder;
        }
    }

    // Python ignores the header line; requiring it catches a headerless file, whose first merge
    // would otherwise be dropped without a word.
    static void CheckHeader(string path, string header)
    {
        if (!header.Contains("#version", StringComparison.Ordinal))
            throw new InvalidInputException($"{path}, line 1: expected a '#version' header line before the merges, got \"{Shorten(header)}\"");
    }

    static (string, string) ParseMerge(string path, int lineNumber, string line)
    {
        var parts = SplitPythonWhitespace(line);
        if (parts.Count != 2)
            throw new InvalidInputException($"{path}, line {lineNumber}: expected a merge of two symbols separated by a space (\"left right\"), got \"{Shorten(line)}\"");
        return (parts[0], parts[1]);
    }

    /// <summary>Python's <c>str.split()</c> with no argument.</summary>
    static List<string> SplitPythonWhitespace(string line)
    {
        int space = line.IndexOf(' ');
        if (space > 0 && space < line.Length - 1 && line.AsSpan().IndexOfAny(PythonSpaceOtherThanPlainSpace) < 0
            && line.IndexOf(' ', space + 1) < 0)
            return [line[..space], line[(space + 1)..]];
        var parts = new List<string>(2);
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && ClipTextCleaner.IsPythonSpace(line[i])) i++;
            int start = i;
            while (i < line.Length && !ClipTextCleaner.IsPythonSpace(line[i])) i++;
            if (i > start) parts.Add(line[start..i]);
        }
        return parts;
    }

    static readonly System.Buffers.SearchValues<char> PythonSpaceOtherThanPlainSpace = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x3001).Select(c => (char)c).Where(c => c != ' ' && ClipTextCleaner.IsPythonSpace(c))]);

    static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "...";

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The first <paramref name="maxLines"/> of <c>text.split('\n')</c> (only '\n' ends a line);
    /// <paramref name="reachedEnd"/> when the last one is the text after the final '\n'.
    /// </summary>
    static List<string> ReadLines(string path, int maxLines, out bool reachedEnd)
    {
        var lines = new List<string>();
        bool end = false;
        Decode(path, reader =>
        {
            var line = new StringBuilder();
            var buffer = new char[1 << 16];
            int n;
            while (lines.Count < maxLines && (n = reader.Read(buffer)) > 0)
            {
                int start = 0;
                for (int k = 0; k < n && lines.Count < maxLines; k++)
                {
                    if (buffer[k] != '\n') continue;
                    line.Append(buffer, start, k - start);
                    lines.Add(line.ToString());
                    line.Clear();
                    start = k + 1;
                }
                if (lines.Count < maxLines) line.Append(buffer, start, n - start);
            }
            if (lines.Count < maxLines)
            {
                lines.Add(line.ToString());
                end = true;
            }
        });
        reachedEnd = end;
        return lines;
    }

    static string ReadText(string path)
    {
        string text = "";
        Decode(path, reader => text = reader.ReadToEnd());
        return text;
    }

    /// <summary>Decompressed vocabularies larger than this are refused (the real one is 1.6 MB).</summary>
    const int MaxDecompressedBytes = 1 << 28;

    /// <summary>
    /// The whole decompressed stream, after checking that it ends as gzip says it must: .NET's
    /// GZipStream quietly stops at a truncated stream, which would give a shorter vocabulary and
    /// other token ids. The trailer's ISIZE (length mod 2^32) must match what was decompressed.
    /// </summary>
    static MemoryStream Gunzip(FileStream file, string path)
    {
        if (file.Length < 18) throw new InvalidInputException($"{path}: the gzip file is truncated ({file.Length} bytes, less than a gzip header and trailer)");
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        uint isize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        file.Position = 0;
        var output = new MemoryStream();
        using (var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = gzip.Read(buffer)) > 0)
            {
                if (output.Length + n > MaxDecompressedBytes)
                    throw new InvalidInputException($"{path}: decompresses to more than {MaxDecompressedBytes} bytes; not a BPE vocabulary");
                output.Write(buffer, 0, n);
            }
        }
        if ((uint)output.Length != isize)
            throw new InvalidInputException($"{path}: the gzip stream is truncated or damaged (it decompresses to {output.Length} bytes but its trailer says {isize})");
        output.Position = 0;
        return output;
    }

    /// <summary>Opens the file, gunzipping when it starts with the gzip magic bytes, as strict UTF-8.</summary>
    static void Decode(string path, Action<TextReader> read)
    {
        try
        {
            using var file = InputFile.OpenRead(path);
            bool gzip = file.ReadByte() == 0x1F && file.ReadByte() == 0x8B;
            file.Position = 0;
            using Stream stream = gzip ? Gunzip(file, path) : file;
            using var reader = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false, 1 << 16);
            read(reader);
        }
        catch (InvalidDataException e) { throw new InvalidInputException($"{path}: not a valid gzip file ({e.Message})", e); }
        catch (DecoderFallbackException e) { throw new InvalidInputException($"{path}: not UTF-8 text ({e.Message})", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new InvalidInputException($"{path}: cannot read: {e.Message}", e); }
    }
}
