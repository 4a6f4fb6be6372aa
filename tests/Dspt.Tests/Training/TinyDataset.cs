namespace Dspt.Tests.Training;

/// <summary>
/// An image-folder dataset on disk (root/{train,test}/&lt;class&gt;/*.png) of synthetic class-coloured
/// images, plus the fixture model and vocabulary: everything `dspt train` needs, small enough for tests.
/// </summary>
sealed class TinyDataset
{
    public static readonly string[] Classes = ["blue", "green", "red", "yellow"];

    public required string Root { get; init; }
    public static string Model => Repo.Fixture("clip-models", "vit-tiny", "weights.openai.safetensors");
    public static string Vocab => Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz");

    public static TinyDataset Write(string root, int trainPerClass = 8, int testPerClass = 3)
    {
        // SyntheticImages colours by index: red, green, blue, yellow.
        int[] colour = [2, 1, 0, 3];
        for (int c = 0; c < Classes.Length; c++)
        {
            for (int i = 0; i < trainPerClass; i++)
                SyntheticImages.Write(Path.Combine(root, "train", Classes[c], $"{i:000}.png"), colour[c], 100 * c + i);
            for (int i = 0; i < testPerClass; i++)
                SyntheticImages.Write(Path.Combine(root, "test", Classes[c], $"{i:000}.png"), colour[c], 10_000 + 100 * c + i);
        }
        return new TinyDataset { Root = root };
    }

    /// <summary>
    /// Arguments of a small `dspt train` run on this dataset; <paramref name="overrides"/> are
    /// option/value pairs that replace the defaults here (or are added).
    /// </summary>
    public string[] TrainArgs(string output, string cache, int epochs, params string[] overrides)
    {
        var options = new List<(string Name, string Value)>
        {
            ("--model", Model), ("--vocab", Vocab), ("--dataset", Root), ("--out", output), ("--cache-dir", cache),
            ("--shots", "8"), ("--noise", "sym:0.25"), ("--loss", "dspt"), ("--seed", "2"),
            ("--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("--batch-size", "4"), ("--views", "2"), ("--n-ctx", "4"), ("--lr", "0.05"),
        };
        for (int i = 0; i + 1 < overrides.Length; i += 2)
        {
            int at = options.FindIndex(o => o.Name == overrides[i]);
            if (at >= 0) options[at] = (overrides[i], overrides[i + 1]);
            else options.Add((overrides[i], overrides[i + 1]));
        }
        return ["train", .. options.SelectMany(o => new[] { o.Name, o.Value })];
    }
}
