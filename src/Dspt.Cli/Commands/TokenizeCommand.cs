using System.CommandLine;
using System.Text.Json;
using Dspt.Text;

namespace Dspt.Cli.Commands;

/// <summary>
/// <c>dspt tokenize</c>: CLIP token ids of each text, one JSON array per line, from SOT to EOT
/// without padding (with --truncate, clip.tokenize(truncate=True)'s row up to its last EOT).
/// </summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var vocab = new Option<string?>("--vocab")
        {
            Description = "BPE vocabulary: bpe_simple_vocab_16e6.txt.gz (openai/CLIP, folder clip/), a file of that format, or a Hugging Face vocab.json with merges.txt",
        };
        var truncate = new Option<bool>("--truncate")
        {
            Description = "Cut texts longer than the context length (the last id becomes EOT) instead of failing",
        };
        var contextLength = new Option<int>("--context-length")
        {
            Description = "Most ids per text, SOT and EOT included",
            DefaultValueFactory = _ => ClipTokenizer.DefaultContextLength,
        };
        var texts = new Argument<string[]>("TEXT") { Description = "Texts to tokenize", Arity = ArgumentArity.OneOrMore };

        var command = new Command("tokenize", "Print the CLIP token ids of each text as a JSON array");
        command.Options.Add(vocab);
        command.Options.Add(truncate);
        command.Options.Add(contextLength);
        command.Arguments.Add(texts);
        command.SetAction(parse =>
        {
            var tokenizer = ClipTokenizer.Load(ClipTokenizer.Resolve(parse.GetValue(vocab), modelPath: null));
            var output = parse.InvocationConfiguration.Output;
            foreach (var text in parse.GetValue(texts)!)
                output.WriteLine(JsonSerializer.Serialize(tokenizer.EncodeWithSpecials(text, parse.GetValue(contextLength), parse.GetValue(truncate))));
            return 0;
        });
        return command;
    }
}
