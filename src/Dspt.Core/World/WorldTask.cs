using System.Globalization;

namespace Dspt.World;

/// <summary>How many items each split of a world task holds, per class (so labels are exactly balanced).</summary>
public sealed record WorldSplitSizes(int TrainPerClass = 100, int ValPerClass = 20, int TestPerClass = 50);

/// <summary>
/// A downstream classification task in the built-in world. Its items are virtual: a path such
/// as "world/shape/test/000123" names the item, and <see cref="Render"/> makes its image on
/// demand. Item k of a split has label k mod C and a scene drawn with that label's attribute
/// fixed, from its own index range (train, val and test never share an index), so splits are
/// disjoint and every split is exactly balanced.
/// </summary>
public sealed class WorldTask
{
    public const string Root = "world";
    public static readonly IReadOnlyList<string> SplitNames = ["train", "val", "test"];

    /// <summary>Split s uses scene indices [s * SplitStride, s * SplitStride + size).</summary>
    const long SplitStride = 1_000_000;

    readonly WorldSampler[] samplers;
    readonly IReadOnlyList<(string Path, int Label)>[] splits;

    public string Name { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The zero-shot prompt; "{}" stands for a class name.</summary>
    public string Template { get; }

    public WorldSpec Spec { get; }
    public long Seed { get; }

    public IReadOnlyList<(string Path, int Label)> Train => splits[0];
    public IReadOnlyList<(string Path, int Label)> Val => splits[1];
    public IReadOnlyList<(string Path, int Label)> Test => splits[2];

    WorldTask(string name, IReadOnlyList<string> classNames, string template, WorldSpec spec,
        Func<WorldSpec, int, WorldSpec> specForLabel, long seed, WorldSplitSizes sizes)
    {
        Name = name;
        ClassNames = classNames;
        Template = template;
        Spec = spec.Validated($"world task '{name}'");
        Seed = seed;
        long taskSeed = (long)SeedStreams.ItemKey(seed, SeedStreams.StreamId("task/" + name), 0);
        samplers = Enumerable.Range(0, classNames.Count)
            .Select(label => new WorldSampler(specForLabel(Spec, label), taskSeed))
            .ToArray();
        int[] perClass = [sizes.TrainPerClass, sizes.ValPerClass, sizes.TestPerClass];
        splits = new IReadOnlyList<(string, int)>[SplitNames.Count];
        for (int s = 0; s < SplitNames.Count; s++)
        {
            long n = (long)perClass[s] * classNames.Count;
            if (perClass[s] < 0 || n >= SplitStride)
                throw new InvalidInputException($"world task '{name}': {SplitNames[s]} size per class must be in [0, {SplitStride / classNames.Count}), got {perClass[s]}");
            splits[s] = Enumerable.Range(0, (int)n)
                .Select(k => (PathOf(SplitNames[s], k), k % classNames.Count))
                .ToArray();
        }
    }

    /// <summary>The main task: which of the 20 shapes the image shows.</summary>
    public static WorldTask Shape(long seed = 1, WorldSpec? spec = null, WorldSplitSizes? sizes = null)
    {
        var shapes = Enum.GetValues<Shape>();
        return new WorldTask("shape", shapes.Select(WorldNames.Name).ToArray(), "a photo of a {}.",
            spec ?? WorldSpec.Downstream(), (s, label) => s with { Shapes = [shapes[label]] }, seed, sizes ?? new());
    }

    /// <summary>A secondary task: which of the 10 colours the object has.</summary>
    public static WorldTask Colour(long seed = 1, WorldSpec? spec = null, WorldSplitSizes? sizes = null)
    {
        var colours = Enum.GetValues<ObjectColour>();
        return new WorldTask("colour", colours.Select(WorldNames.Name).ToArray(), "a photo of a {} shape.",
            spec ?? WorldSpec.Downstream(), (s, label) => s with { Colours = [colours[label]] }, seed, sizes ?? new());
    }

    public static IReadOnlyList<string> Names { get; } = ["shape", "colour"];

    public static WorldTask ByName(string name, long seed = 1, WorldSpec? spec = null, WorldSplitSizes? sizes = null) => name switch
    {
        "shape" => Shape(seed, spec, sizes),
        "colour" => Colour(seed, spec, sizes),
        _ => throw new InvalidInputException($"world task '{name}' does not exist; expected one of: {string.Join(", ", Names)}"),
    };

    public string Prompt(int label) => Template.Replace("{}", ClassNames[label]);

    public IReadOnlyList<(string Path, int Label)> Split(string split)
    {
        int s = SplitIndex(split);
        return s >= 0 ? splits[s]
            : throw new InvalidInputException($"world task '{Name}': split '{split}' does not exist; expected one of: {string.Join(", ", SplitNames)}");
    }

    /// <summary>The scene behind an item path of this task.</summary>
    public Scene SceneOf(string path)
    {
        var (split, k) = Parse(path);
        return samplers[k % ClassNames.Count].Sample(split * SplitStride + k);
    }

    /// <summary>The item's 64x64 RGB image, HWC bytes.</summary>
    public byte[] Render(string path) => WorldRenderer.Render(SceneOf(path));

    string PathOf(string split, int k) => $"{Root}/{Name}/{split}/{k:D6}";

    (int Split, int K) Parse(string path)
    {
        var parts = path.Split('/');
        int split = parts.Length == 4 ? SplitIndex(parts[2]) : -1;
        if (parts.Length != 4 || parts[0] != Root || parts[1] != Name || split < 0
            || parts[3].Length != 6 || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            || k >= splits[split].Count)
            throw new InvalidInputException(
                $"world item '{path}': expected '{Root}/{Name}/<train|val|test>/<6-digit index>' with the index below the split's size " +
                $"({Train.Count}, {Val.Count}, {Test.Count})");
        return (split, k);
    }

    static int SplitIndex(string split) => split switch { "train" => 0, "val" => 1, "test" => 2, _ => -1 };
}
