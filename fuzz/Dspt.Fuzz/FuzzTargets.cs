namespace Dspt.Fuzz;

/// <summary>Every reader with a fuzz target, by name.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        .. ModelTargets.All(), .. TextTargets.All(), .. DataTargets.All(), .. RunTargets.All(), .. ImageTargets.All(),
    ];

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", All.Select(t => t.Name))}");
}
