using System.Text.Json;
using Dspt.Text;

namespace Dspt.Fuzz;

/// <summary>Targets for CLIP vocabularies: BPE merges files (gzip or plain), Hugging Face
/// vocab.json and merges.txt. Each loaded vocabulary also tokenizes a sentence.</summary>
public static class TextTargets
{
    static readonly string[] Words = ["a", "photo", "of", "the", "cat", "dog", "red", "star"];

    static void LoadAndTokenize(string path) =>
        ClipTokenizer.Load(path).EncodeWithSpecials("a photo of a red cat, 3 dogs! \u00e9t\u00e9 \U0001F600");

    static (string Vocab, string Merges) HuggingFace()
    {
        var merges = new List<string> { "p h", "ph o", "pho to</w>", "c a", "ca t</w>", "r e", "re d</w>" };
        var vocab = new List<string>();
        vocab.AddRange(ByteUnicode.Chars.Select(c => c.ToString()));
        vocab.AddRange(ByteUnicode.Chars.Select(c => c + "</w>"));
        vocab.AddRange(merges.Select(m => m.Replace(" ", "")));
        vocab.Add("<|startoftext|>");
        vocab.Add("<|endoftext|>");
        var json = JsonSerializer.Serialize(vocab.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i));
        return (json, "#version: 0.2\n" + string.Join("\n", merges) + "\n");
    }

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("bpe-gz", "BPE merges files: gzip (its end checked) or plain text",
            dir =>
            [
                Seeds.Written(dir, "v.txt.gz", p => BpeVocabularyBuilder.Write(p, Words)),
                Seeds.Utf8("#version: 0.2\nh e\nhe llo</w>\nw o\nwo rld</w>\n"),
            ],
            (dir, input) =>
            {
                string path = Path.Combine(dir, "vocab.txt.gz");
                File.WriteAllBytes(path, input);
                LoadAndTokenize(path);
            });

        yield return new("bpe-openai", "OpenAI's bpe_simple_vocab_16e6.txt.gz (needs all 48 894 merges)",
            dir => [.. SharedFixtures.Read("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz")],
            (dir, input) =>
            {
                string path = Path.Combine(dir, "bpe_simple_vocab_16e6.txt.gz");
                File.WriteAllBytes(path, input);
                LoadAndTokenize(path);
            });

        yield return new("vocab-json", "Hugging Face vocab.json (merges.txt fixed)",
            dir =>
            {
                var (vocab, merges) = HuggingFace();
                File.WriteAllText(Path.Combine(dir, "merges.txt"), merges);
                return [Seeds.Utf8(vocab)];
            },
            (dir, input) =>
            {
                string path = Path.Combine(dir, "vocab.json");
                File.WriteAllBytes(path, input);
                LoadAndTokenize(path);
            });

        yield return new("merges-txt", "Hugging Face merges.txt (vocab.json fixed)",
            dir =>
            {
                var (vocab, merges) = HuggingFace();
                File.WriteAllText(Path.Combine(dir, "vocab.json"), vocab);
                return [Seeds.Utf8(merges)];
            },
            (dir, input) =>
            {
                File.WriteAllBytes(Path.Combine(dir, "merges.txt"), input);
                LoadAndTokenize(Path.Combine(dir, "vocab.json"));
            });
    }
}
