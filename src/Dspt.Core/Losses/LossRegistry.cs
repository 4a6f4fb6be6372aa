using System.Globalization;

namespace Dspt.Losses;

/// <summary>
/// Builds a loss from its name: "ce", "dspt", "gce" (q = 0.7), "gce:Q", "mae" (scale 1), "mae:S".
/// A new loss is one line in <see cref="Kinds"/>; the loss tests run over <see cref="Examples"/>.
/// </summary>
public static class LossRegistry
{
    /// <param name="Argument">The name of the optional ":X" argument (null: takes none).</param>
    /// <param name="Example">An argument value the tests use.</param>
    sealed record Kind(string Name, string? Argument, double Example, Func<double?, IPromptLoss> Create);

    static readonly Kind[] Kinds =
    [
        new("ce", null, 0, _ => new CrossEntropyLoss()),
        new("dspt", null, 0, _ => new DsptLoss()),
        new("gce", "q", 0.5, q => q is { } v ? new GceLoss(v) : new GceLoss()),
        new("mae", "scale", 2, s => s is { } v ? new MaeLoss(v) : new MaeLoss()),
    ];

    /// <summary>The accepted forms, as help texts list them: "ce", ..., "gce:&lt;q&gt;".</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Kinds.SelectMany(k => k.Argument is null ? [k.Name] : new[] { k.Name, $"{k.Name}:<{k.Argument}>" })];

    /// <summary>One concrete name of every form (an argument form with its example value).</summary>
    public static IReadOnlyList<string> Examples { get; } =
        [.. Kinds.SelectMany(k => k.Argument is null ? [k.Name] : new[] { k.Name, string.Create(CultureInfo.InvariantCulture, $"{k.Name}:{k.Example}") })];

    /// <summary>Whether <paramref name="name"/>'s part before any ':' names a loss here.</summary>
    public static bool Contains(string name) =>
        Names.Any(n => n.Split(':')[0] == name.Trim().ToLowerInvariant().Split(':', 2)[0]);

    public static IPromptLoss Create(string name)
    {
        var parts = name.Trim().ToLowerInvariant().Split(':', 2);
        string? argument = parts.Length == 2 ? parts[1] : null;
        var kind = Kinds.FirstOrDefault(k => k.Name == parts[0] && (argument is null || k.Argument is not null))
            ?? throw new InvalidInputException($"unknown loss '{name}', expected one of: {string.Join(", ", Names)}");
        return kind.Create(argument is null ? null : Number(name, argument));
    }

    static double Number(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidInputException($"loss '{name}': '{text}' is not a number (expected e.g. gce:0.5 or mae:2)");
}
