namespace Dspt.Text;

/// <summary>Where a tokenizer vocabulary is looked for when none is named.</summary>
internal static class ClipVocabularyLocator
{
    public const string OpenAiFileName = "bpe_simple_vocab_16e6.txt.gz";
    const string WhereToGetIt =
        $"Get {OpenAiFileName} from the openai/CLIP repository, folder clip/ " +
        $"(https://github.com/openai/CLIP/raw/main/clip/{OpenAiFileName}), and pass it with --vocab " +
        "or put it next to the model";
    const string WhatIsLookedFor =
        $"{OpenAiFileName}, another *.txt.gz BPE merges file, or a Hugging Face vocab.json with merges.txt";

    public static string Resolve(string? vocabOption, string? modelPath)
    {
        if (!string.IsNullOrEmpty(vocabOption))
        {
            if (File.Exists(vocabOption) || Directory.Exists(vocabOption)) return Path.GetFullPath(vocabOption);
            throw new InvalidInputException($"--vocab {vocabOption}: no such file or directory. {WhereToGetIt}.");
        }
        if (string.IsNullOrEmpty(modelPath))
            throw new InvalidInputException($"no tokenizer vocabulary given (no --vocab and no model path to look beside). {WhereToGetIt}.");
        string full = Path.GetFullPath(Builtin.BuiltinModel.Resolve(modelPath));
        string dir = Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
        return FindIn(dir)
            ?? throw new InvalidInputException(
                $"no tokenizer vocabulary found next to the model {modelPath}: looked in {dir} for {WhatIsLookedFor}. {WhereToGetIt}.");
    }

    /// <summary>The vocabulary file in <paramref name="dir"/> (for the Hugging Face form its vocab.json), or null.</summary>
    public static string? FindIn(string dir)
    {
        if (!Directory.Exists(dir)) return null;
        string openAi = Path.Combine(dir, OpenAiFileName);
        if (File.Exists(openAi)) return openAi;
        var gz = Directory.GetFiles(dir, "*.txt.gz").Order(StringComparer.Ordinal).ToArray();
        if (gz.Length == 1) return gz[0];
        if (gz.Length > 1)
            throw new InvalidInputException(
                $"{dir} holds several BPE files ({string.Join(", ", gz.Select(Path.GetFileName))}); name one with --vocab");
        string json = Path.Combine(dir, "vocab.json");
        return File.Exists(json) && File.Exists(Path.Combine(dir, "merges.txt")) ? json : null;
    }

    /// <summary>The file inside a directory given as the vocabulary.</summary>
    public static string FileIn(string dir) =>
        FindIn(dir) ?? throw new InvalidInputException($"{dir}: no tokenizer vocabulary in this directory (looked for {WhatIsLookedFor}). {WhereToGetIt}.");
}
