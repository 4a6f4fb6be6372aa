using System.CommandLine;
using Dspt.Demo;
using Dspt.IO;
using Dspt.Reporting;
using Dspt.World;

namespace Dspt.Cli.Commands;

/// <summary><c>dspt world preview</c>: a contact sheet of the built-in world's images and captions.</summary>
public static class WorldCommand
{
    public static Command Create()
    {
        var command = new Command("world", "The built-in procedural image-caption world");
        command.Subcommands.Add(Preview());
        return command;
    }

    static Command Preview()
    {
        var outDir = new Option<string>("--out", "-o") { Description = "Folder for world-preview.png and world-preview.txt", Required = true };
        var seed = new Option<long>("--world-seed") { Description = "World seed (as dspt demo --world-seed)", DefaultValueFactory = _ => 1 };
        var count = new Option<int>("--count") { Description = "Number of images (1-256)", DefaultValueFactory = _ => 48 };
        var task = new Option<string?>("--task") { Description = "Show a downstream task's items (shape or colour) instead of pretraining images" };
        var split = CommonOptions.Part("with --task: the split to show (train, val, test)");
        var shifted = new Option<double>("--shifted") { Description = "With --task: share of items in a shifted style (outline, faint, noisy)", DefaultValueFactory = _ => WorldDefaults.ShiftedFraction };

        var command = new Command("preview", "Write a contact sheet PNG of world images with their captions (or task labels)")
        {
            outDir, seed, count, task, split, shifted,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count);
            if (n is < 1 or > 256) throw new InvalidInputException($"--count must be in [1, 256], got {n}");
            double shift = parse.GetValue(shifted);
            if (!(shift is >= 0 and <= 1)) throw new InvalidInputException($"--shifted must be a share in [0, 1], got {shift}");
            string taskName = parse.GetValue(task) ?? "";
            var tiles = taskName.Length == 0
                ? PretrainingTiles(parse.GetValue(seed), n)
                : TaskTiles(WorldTask.ByName(taskName, parse.GetValue(seed), WorldSpec.Downstream(shift)), parse.GetValue(split)!, n);

            string dir = parse.GetValue(outDir)!;
            string png = Path.Combine(dir, "world-preview.png"), txt = Path.Combine(dir, "world-preview.txt");
            bool hasFont = WorldContactSheet.Write(png, tiles);
            AtomicFile.WriteAllText(txt, string.Concat(tiles.Select((t, i) => $"{i}\t{t.Caption}\n")));
            if (!hasFont)
                parse.InvocationConfiguration.Error.WriteLine("warning: no font found, the sheet has no captions; they are in " + txt);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {png} and {txt} ({tiles.Count} images)");
            return 0;
        });
        return command;
    }

    static List<(byte[] Image, string Caption)> PretrainingTiles(long seed, int n)
    {
        var sampler = new WorldSampler(WorldSpec.Pretraining, seed);
        return Enumerable.Range(0, n)
            .Select(i => sampler.SampleCaptioned(i))
            .Select(sc => (WorldRenderer.Render(sc.Scene), sc.Caption))
            .ToList();
    }

    static List<(byte[] Image, string Caption)> TaskTiles(WorldTask task, string split, int n) =>
        task.Split(split).Take(n)
            .Select(item => (task.Render(item.Path), $"{item.Path.Split('/')[^1]}: {task.ClassNames[item.Label]} ({task.SceneOf(item.Path).Style.ToString().ToLowerInvariant()})"))
            .ToList();
}
