using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Dspt.Text;
using static Dspt.Tests.Text.TokenizerFixture;

namespace Dspt.Tests.Text;

/// <summary>Vocabulary files: the Hugging Face form, where Resolve looks, and what bad files say.</summary>
public class ClipTokenizerFilesTests
{
    /// <summary>
    /// vocab.json + merges.txt as Hugging Face ships them for CLIP, built here from the gz file
    /// without the library: the vocabulary rule written out again, and the JSON entries shuffled
    /// so a loader that relied on their order instead of their ids would fail.
    /// </summary>
    static void WriteHuggingFacePair(string dir)
    {
        List<string> lines;
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(VocabPath), CompressionMode.Decompress)))
            lines = reader.ReadToEnd().Split('\n').Take(1 + 48894).ToList();
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToList();
        var byteChars = printable.Select(b => ((char)b).ToString())
            .Concat(Enumerable.Range(0, 256).Except(printable).Select((_, n) => ((char)(256 + n)).ToString())).ToList();
        var vocab = byteChars.Concat(byteChars.Select(c => c + "</w>"))
            .Concat(lines.Skip(1).Select(l => l.Replace(" ", "")))
            .Append("<|startoftext|>").Append("<|endoftext|>").ToList();
        var entries = vocab.Select((token, id) => (token, id)).ToArray();
        new Random(1234).Shuffle(entries);
        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var json = new StringBuilder("{");
        foreach (var (token, id) in entries) json.Append(JsonSerializer.Serialize(token, options)).Append(':').Append(id).Append(',');
        json[^1] = '}';
        File.WriteAllText(Path.Combine(dir, "vocab.json"), json.ToString());
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", lines.Skip(1)) + "\n");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void HuggingFaceVocabGivesTheSameIds()
    {
        using var dir = Repo.Temp();
        WriteHuggingFacePair(dir.Path);
        foreach (var hf in new[] { ClipTokenizer.Load(dir["vocab.json"]), ClipTokenizer.Load(dir.Path) })
        {
            Assert.Equal(dir["vocab.json"], hf.Source);
            Assert.Equal((49406, 49407, 49408), (hf.SotId, hf.EotId, hf.VocabSize));
            AssertAll(Cases, c => hf.EncodeWithSpecials(c.Text).SequenceEqual(c.Ids) && hf.Decode(c.Ids[1..^1]) == c.Decoded
                ? null : $"got {Show(hf.EncodeWithSpecials(c.Text))}");
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void PlainTextMergesFileReadsLikeTheGzip()
    {
        using var dir = Repo.Temp();
        using (var gz = new GZipStream(File.OpenRead(VocabPath), CompressionMode.Decompress))
        using (var plain = File.Create(dir["clip-merges.txt"]))
            gz.CopyTo(plain);
        var tokenizer = ClipTokenizer.Load(dir["clip-merges.txt"]);
        Assert.Equal(49408, tokenizer.VocabSize);
        AssertAll(Cases.Take(60), c => tokenizer.EncodeWithSpecials(c.Text).SequenceEqual(c.Ids) ? null : "differs");
    }

    [Fact]
    public void ResolvePrefersTheVocabOption()
    {
        using var dir = Repo.Temp();
        File.Copy(VocabPath, dir["mine.txt.gz"]);
        Assert.Equal(dir["mine.txt.gz"], ClipTokenizer.Resolve(dir["mine.txt.gz"], modelPath: "/nowhere/model.pt"));
        var e = Assert.Throws<InvalidInputException>(() => ClipTokenizer.Resolve(dir["missing.txt.gz"], null));
        Assert.Contains(dir["missing.txt.gz"], e.Message);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ResolveLooksNextToTheCheckpoint()
    {
        using var dir = Repo.Temp();
        string model = dir["weights.safetensors"];
        File.WriteAllText(model, "");

        var e = Assert.Throws<InvalidInputException>(() => ClipTokenizer.Resolve(null, model));
        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", e.Message);
        Assert.Contains("openai/CLIP", e.Message);
        Assert.Contains("clip/", e.Message);
        Assert.Contains(dir.Path, e.Message);

        WriteHuggingFacePair(dir.Path);
        Assert.Equal(dir["vocab.json"], ClipTokenizer.Resolve(null, model));

        File.Copy(VocabPath, dir["custom.txt.gz"]);
        Assert.Equal(dir["custom.txt.gz"], ClipTokenizer.Resolve(null, model));

        File.Copy(VocabPath, dir["other.txt.gz"]);
        e = Assert.Throws<InvalidInputException>(() => ClipTokenizer.Resolve(null, model));
        Assert.Contains("custom.txt.gz", e.Message);
        Assert.Contains("other.txt.gz", e.Message);

        File.Copy(VocabPath, dir["bpe_simple_vocab_16e6.txt.gz"]);
        Assert.Equal(dir["bpe_simple_vocab_16e6.txt.gz"], ClipTokenizer.Resolve(null, model));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ResolveLooksInsideAHuggingFaceModelDirectory()
    {
        using var dir = Repo.Temp();
        string hf = Directory.CreateDirectory(dir["hf"]).FullName;
        var e = Assert.Throws<InvalidInputException>(() => ClipTokenizer.Resolve(null, hf));
        Assert.Contains(hf, e.Message);
        WriteHuggingFacePair(hf);
        Assert.Equal(Path.Combine(hf, "vocab.json"), ClipTokenizer.Resolve(null, hf));
        Assert.Equal(Path.Combine(hf, "vocab.json"), ClipTokenizer.Resolve(null, Path.Combine(hf, "model.safetensors")));
    }

    [Fact]
    public void ResolveWithNothingSaysWhatToGet()
    {
        var e = Assert.Throws<InvalidInputException>(() => ClipTokenizer.Resolve(null, null));
        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", e.Message);
        Assert.Contains("--vocab", e.Message);
    }

    static InvalidInputException LoadFails(string path) => Assert.Throws<InvalidInputException>(() => ClipTokenizer.Load(path));

    static void WriteGzip(string path, string text)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(text));
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        using var dir = Repo.Temp();
        Assert.Contains(dir["nope.txt.gz"], LoadFails(dir["nope.txt.gz"]).Message);
        var e = LoadFails(dir.Path);
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", e.Message);
    }

    [Fact]
    public void CorruptGzipIsNamed()
    {
        using var dir = Repo.Temp();
        var bytes = File.ReadAllBytes(VocabPath)[..4096];
        for (int i = 20; i < bytes.Length; i += 7) bytes[i] ^= 0x5A;
        File.WriteAllBytes(dir["bad.txt.gz"], bytes);
        var e = LoadFails(dir["bad.txt.gz"]);
        Assert.Contains(dir["bad.txt.gz"], e.Message);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void EmptyFileIsNamed()
    {
        using var dir = Repo.Temp();
        File.WriteAllBytes(dir["empty.txt"], []);
        Assert.Contains($"{dir["empty.txt"]}: empty file", LoadFails(dir["empty.txt"]).Message);
        WriteGzip(dir["empty.txt.gz"], "");
        Assert.Contains($"{dir["empty.txt.gz"]}: empty file", LoadFails(dir["empty.txt.gz"]).Message);
    }

    [Theory]
    [InlineData("#version: 0.2\nd o\ndo g</w>\nbroken\ns a", 4)]
    [InlineData("#version: 0.2\nd o\na b c", 3)]
    [InlineData("#version: 0.2\nd o\n\ns a", 3)]   // an empty line before the end
    public void MalformedMergeLineIsNamed(string text, int line)
    {
        using var dir = Repo.Temp();
        WriteGzip(dir["m.txt.gz"], text);
        var e = LoadFails(dir["m.txt.gz"]);
        Assert.Contains($"{dir["m.txt.gz"]}, line {line}:", e.Message);
    }

    [Fact]
    public void HeaderlessFileIsNamed()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["m.txt"], "d o\ndo g</w>");
        Assert.Contains($"{dir["m.txt"]}, line 1:", LoadFails(dir["m.txt"]).Message);
    }

    [Fact]
    public void NonUtf8IsNamed()
    {
        using var dir = Repo.Temp();
        File.WriteAllBytes(dir["m.txt"], [.. "#version: 0.2\nd o\n"u8, 0xC3, 0x28, (byte)' ', (byte)'x']);
        Assert.Contains($"{dir["m.txt"]}: not UTF-8", LoadFails(dir["m.txt"]).Message);
    }

    [Fact]
    public void SmallFileUsesAllItsLinesAndATrailingNewlineAddsAnEmptyEntry()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["a.txt"], "#version: 0.2\nd o\ndo g</w>");
        var a = ClipTokenizer.Load(dir["a.txt"]);
        Assert.Equal((514, 515, 516), (a.SotId, a.EotId, a.VocabSize));
        Assert.Equal([513], a.Encode("dog"));
        Assert.Equal("dog ", a.Decode([513]));
        // simple_tokenizer splits on '\n' without stripping, so the final newline leaves an empty
        // line whose ''.join(()) is one more vocabulary entry before the special tokens.
        File.WriteAllText(dir["b.txt"], "#version: 0.2\nd o\ndo g</w>\n");
        var b = ClipTokenizer.Load(dir["b.txt"]);
        Assert.Equal((515, 516, 517), (b.SotId, b.EotId, b.VocabSize));
        Assert.Equal([513], b.Encode("dog"));
        // Windows line ends: str.split() drops the '\r' of each merge line.
        File.WriteAllText(dir["c.txt"], "#version: 0.2\r\nd o\r\ndo g</w>\r\n");
        var c = ClipTokenizer.Load(dir["c.txt"]);
        Assert.Equal((515, 516, 517), (c.SotId, c.EotId, c.VocabSize));
        Assert.Equal([513], c.Encode("dog"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void BadHuggingFaceFilesAreNamed()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["vocab.json"], "{\"a\": 0}");
        Assert.Contains("merges.txt", LoadFails(dir["vocab.json"]).Message);

        File.WriteAllText(dir["merges.txt"], "#version: 0.2\n");
        File.WriteAllText(dir["vocab.json"], "{\"a\": 0,");
        Assert.Contains($"{dir["vocab.json"]}: not valid JSON", LoadFails(dir["vocab.json"]).Message);

        File.WriteAllText(dir["vocab.json"], "{\"a\": \"zero\"}");
        var e = LoadFails(dir["vocab.json"]);
        Assert.Contains(dir["vocab.json"], e.Message);
        Assert.Contains("\"a\"", e.Message);

        WriteHuggingFacePair(dir.Path);
        string json = File.ReadAllText(dir["vocab.json"]);
        File.WriteAllText(dir["vocab.json"], json.Replace("\"<|startoftext|>\":", "\"<|start|>\":"));
        Assert.Contains("<|startoftext|>", LoadFails(dir["vocab.json"]).Message);

        File.WriteAllText(dir["vocab.json"], json.Replace("\"<|startoftext|>\":49406", "\"<|startoftext|>\":0"));
        Assert.Contains("both have id 0", LoadFails(dir["vocab.json"]).Message);

        // 'dawg</w>' is itself in CLIP's vocabulary, so renaming to it names a token twice.
        File.WriteAllText(dir["vocab.json"], json.Replace("\"dog</w>\":", "\"dawg</w>\":"));
        e = LoadFails(dir["vocab.json"]);
        Assert.Contains(dir["vocab.json"], e.Message);
        Assert.Contains("dawg</w>", e.Message);

        File.WriteAllText(dir["vocab.json"], json.Replace("\"dog</w>\":", "\"dxqzg</w>\":"));
        e = LoadFails(dir["vocab.json"]);
        Assert.Contains(dir["vocab.json"], e.Message);
        Assert.Contains("dog</w>", e.Message);

        File.WriteAllText(dir["vocab.json"], json);
        File.WriteAllText(dir["merges.txt"], "#version: 0.2\ni n\nt h e");
        Assert.Contains($"{dir["merges.txt"]}, line 3:", LoadFails(dir["vocab.json"]).Message);
    }
}
