using System.CommandLine;
using Dspt.Clip;
using TorchSharp;

namespace Dspt.Cli;

/// <summary>Options several commands share, with one meaning everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> Model(bool required = true) => new("--model", "-m")
    {
        Description = "CLIP checkpoint: OpenAI .pt (TorchScript), torch.save .pt/.pth, .safetensors, or a Hugging Face folder",
        Required = required,
    };

    public static Option<string> SavedPrompt() => new("--prompt", "-p")
    {
        Description = "saved prompt: a run folder or a folder with prompt.safetensors + prompt.json",
        Required = true,
    };

    /// <summary>--out/-o: where a command writes (a folder or a file), the one spelling for every output location.</summary>
    public static Option<string?> Out(string description, bool required) => new("--out", "-o") { Description = description, Required = required };

    /// <summary>--dataset/-d: a dataset folder, file or built-in address.</summary>
    public static Option<string?> Dataset(string description, bool required) => new("--dataset", "-d") { Description = description, Required = required };

    /// <summary>--subsample: CoOp's SUBSAMPLE_CLASSES (all, base, new).</summary>
    public static Option<string> Subsample(string description) => new("--subsample") { Description = description, DefaultValueFactory = _ => "all" };

    /// <summary>--part: which of a dataset's train, val and test splits (not --split, which gives the fractions of an unsplit dataset).</summary>
    public static Option<string> Part(string description, string defaultValue = "test") => new("--part") { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<string?> Vocab() => new("--vocab")
    {
        Description = "BPE vocabulary (bpe_simple_vocab_16e6.txt.gz, or vocab.json with merges.txt beside it); default: looked for next to the model",
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<string> DType() => new("--dtype")
    {
        Description = "model compute dtype: fp32, bf16 or fp16",
        DefaultValueFactory = _ => "fp32",
    };

    public static Option<string?> Corrections() => new("--corrections")
    {
        Description = "reviewed labels to apply before the few-shot draw and noise: a CSV path,action,new_label (as suspects.html exports; action relabel, keep or remove)",
    };

    /// <summary>--shots/-k: K training images per class, or 'all'.</summary>
    public static Option<string> Shots(string description, string defaultValue) => new("--shots", "-k")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>A --shots value: K >= 1, or 0 for 'all' (0 is read as all too).</summary>
    public static int ParseShots(string text) =>
        text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase) ? 0
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k) ? k
        : throw new InvalidInputException($"--shots {text}: expected a number of images per class (at least 1) or 'all'");

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU threads for LibTorch (default: all cores)",
    };

    /// <summary>Adds groups of options (a set's <c>All</c>, or single options) to a command, in order.</summary>
    public static void AddAll(Command command, params IEnumerable<Option>[] groups)
    {
        foreach (var group in groups)
            foreach (var option in group) command.Options.Add(option);
    }

    /// <summary>Whether the user set <paramref name="option"/> (on the command line or in a config file), not its default.</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is System.CommandLine.Parsing.OptionResult { Implicit: false };

    /// <summary>An error in the option's name when <paramref name="value"/> is below <paramref name="min"/>.</summary>
    public static void AtLeast(string option, long value, long min)
    {
        if (value < min) throw new InvalidInputException($"{option} must be at least {min} (got {value})");
    }

    public static void ApplyThreads(ParseResult parse, Option<int?> threads)
    {
        if (parse.GetValue(threads) is int t)
        {
            if (t < 1) throw new InvalidInputException($"--threads must be at least 1 (got {t})");
            torch.set_num_threads(t);
        }
    }
}
