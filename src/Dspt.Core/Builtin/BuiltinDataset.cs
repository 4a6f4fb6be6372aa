using System.Globalization;
using Dspt.Data;
using Dspt.Demo;
using Dspt.World;

namespace Dspt.Builtin;

/// <summary>
/// A task of the procedural world as a dataset: <c>builtin:shape</c>, <c>builtin:colour</c>, and
/// <c>builtin:shape@SEED</c> for another draw of the world's images. Options after '?' change the
/// split sizes and style shift (<c>train</c>, <c>test</c> per class, <c>shifted</c> fraction,
/// <c>style</c>); <see cref="Address"/> is the canonical spelling, which run manifests record so a
/// run can be resumed from its folder. Items are virtual paths rendered on demand
/// (<see cref="WorldTask.Render"/>); the dataset root is the address.
/// </summary>
public sealed record BuiltinDataset(string Task, long WorldSeed, int TrainPerClass, int TestPerClass, double Shifted, string Style)
{
    public const string Prefix = "builtin:";
    public const int DefaultTrainPerClass = 32, ValPerClass = 4, DefaultTestPerClass = 50;

    public static bool Is(string? address) => address is not null && address.Trim().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    public static BuiltinDataset Parse(string address)
    {
        string text = address.Trim();
        if (!Is(text)) throw new InvalidInputException($"dataset '{address}': a built-in dataset is written {Prefix}TASK[@SEED] with TASK one of {string.Join(", ", WorldTask.Names)}");
        string rest = text[Prefix.Length..];
        string query = "";
        int q = rest.IndexOf('?');
        if (q >= 0) (rest, query) = (rest[..q], rest[(q + 1)..]);
        long seed = 1;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!long.TryParse(rest[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out seed))
                throw new InvalidInputException($"dataset '{address}': the world seed after '@' must be a non-negative integer");
            rest = rest[..at];
        }
        string task = rest.ToLowerInvariant() == "color" ? "colour" : rest.ToLowerInvariant();
        if (!WorldTask.Names.Contains(task))
            throw new InvalidInputException($"dataset '{address}': built-in task '{rest}' does not exist; expected one of {string.Join(", ", WorldTask.Names.Select(n => Prefix + n))}");
        var d = new BuiltinDataset(task, seed, DefaultTrainPerClass, DefaultTestPerClass, WorldDefaults.ShiftedFraction, WorldDefaults.ShiftedStyle);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = eq < 0 ? pair : pair[..eq], value = eq < 0 ? "" : pair[(eq + 1)..];
            d = key switch
            {
                "train" => d with { TrainPerClass = PositiveInt(address, key, value) },
                "test" => d with { TestPerClass = PositiveInt(address, key, value) },
                "shifted" => d with { Shifted = Fraction(address, value) },
                "style" => d with { Style = value.ToLowerInvariant() },
                _ => throw new InvalidInputException($"dataset '{address}': unknown option '{key}'; expected train=N, test=N (images per class), shifted=F, style=mixed|outline|faint|noisy"),
            };
        }
        WorldDefaults.DownstreamSpec(d.Style, d.Shifted);
        return d;
    }

    /// <summary>The canonical address: options only where they differ from the defaults.</summary>
    public string Address
    {
        get
        {
            var options = new List<string>();
            if (TrainPerClass != DefaultTrainPerClass) options.Add($"train={TrainPerClass}");
            if (TestPerClass != DefaultTestPerClass) options.Add($"test={TestPerClass}");
            if (Shifted != WorldDefaults.ShiftedFraction) options.Add($"shifted={Shifted.ToString("R", CultureInfo.InvariantCulture)}");
            if (Style != WorldDefaults.ShiftedStyle) options.Add($"style={Style}");
            return $"{Prefix}{Task}{(WorldSeed != 1 ? $"@{WorldSeed}" : "")}{(options.Count > 0 ? "?" + string.Join("&", options) : "")}";
        }
    }

    /// <summary>A short name for folders and tables: "shape", "colour@7".</summary>
    public string ShortName => $"{Task}{(WorldSeed != 1 ? $"@{WorldSeed}" : "")}{(Address.Contains('?') ? "-" + ContentHashOfOptions() : "")}";

    string ContentHashOfOptions() => IO.ContentHash.Of(System.Text.Encoding.UTF8.GetBytes(Address))[..6];

    public WorldTask CreateTask() => WorldTask.ByName(Task, WorldSeed, WorldDefaults.DownstreamSpec(Style, Shifted),
        new WorldSplitSizes(TrainPerClass, ValPerClass, TestPerClass));

    /// <summary>The task as a <see cref="Dataset"/> whose root is <see cref="Address"/> (items are the task's virtual paths).</summary>
    public Dataset ToDataset(WorldTask task, string? template = null) =>
        new($"world-{task.Name}", Address, task.ClassNames, template ?? task.Template, Items(task.Train), Items(task.Val), Items(task.Test)) { Format = "world" };

    static List<DataItem> Items(IReadOnlyList<(string Path, int Label)> items) => [.. items.Select(i => new DataItem(i.Path, i.Label))];

    static int PositiveInt(string address, string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new InvalidInputException($"dataset '{address}': option {key}='{value}', expected a positive integer");

    static double Fraction(string address, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f is >= 0 and <= 1
            ? f : throw new InvalidInputException($"dataset '{address}': option shifted='{value}', expected a fraction in [0, 1]");
}
