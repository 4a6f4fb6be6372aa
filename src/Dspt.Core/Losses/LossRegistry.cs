using System.Globalization;

namespace Dspt.Losses;

/// <summary>Builds a loss from its name: "ce", "dspt", "gce" (q = 0.7), "gce:Q", "mae" (scale 1), "mae:S".</summary>
public static class LossRegistry
{
    public static IReadOnlyList<string> Names { get; } = ["ce", "dspt", "gce", "gce:<q>", "mae", "mae:<scale>"];

    public static IPromptLoss Create(string name)
    {
        var parts = name.Trim().ToLowerInvariant().Split(':', 2);
        string? argument = parts.Length == 2 ? parts[1] : null;
        return (parts[0], argument) switch
        {
            ("ce", null) => new CrossEntropyLoss(),
            ("dspt", null) => new DsptLoss(),
            ("gce", null) => new GceLoss(),
            ("gce", _) => new GceLoss(Number(name, argument!)),
            ("mae", null) => new MaeLoss(),
            ("mae", _) => new MaeLoss(Number(name, argument!)),
            _ => throw new InvalidInputException($"unknown loss '{name}', expected one of: {string.Join(", ", Names)}"),
        };
    }

    static double Number(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidInputException($"loss '{name}': '{text}' is not a number (expected e.g. gce:0.5 or mae:2)");
}
