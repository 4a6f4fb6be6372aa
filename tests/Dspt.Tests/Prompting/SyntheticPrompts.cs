using Dspt.Prompting;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>Prompt token rows laid out as clip.tokenize makes them, with random name tokens.</summary>
public static class SyntheticPrompts
{
    public const long Sot = 49406, Eot = 49407, X = 343, Period = 269;

    /// <summary>[SOT] X*nCtx name(len_k) "." [EOT] 0...; name ids drawn with a seeded Random.</summary>
    public static PromptTokens Tokens(IReadOnlyList<int> nameLengths, int nCtx, int contextLength, int seed)
    {
        var random = new Random(seed);
        var rows = new long[nameLengths.Count * contextLength];
        for (int k = 0; k < nameLengths.Count; k++)
        {
            var row = new List<long> { Sot };
            row.AddRange(Enumerable.Repeat(X, nCtx));
            for (int j = 0; j < nameLengths[k]; j++) row.Add(random.Next(1000, 40000));
            row.Add(Period);
            row.Add(Eot);
            row.CopyTo(rows, k * contextLength);
        }
        return new PromptTokens(tensor(rows, [nameLengths.Count, contextLength]), nameLengths);
    }

    public static string[] Names(int count) => [.. Enumerable.Range(0, count).Select(i => $"class_{i}")];
}
