using System.Diagnostics;
using System.Globalization;
using Dspt.Data;

namespace Dspt.Bench;

public sealed record DataBenchConfig(int Entries = 100_000, int Classes = 1000, int Shots = 16, int Repeats = 3);

/// <summary>Median wall-clock milliseconds of each stage over the repeats.</summary>
public sealed record DataBenchResult(int Entries, double BaselineMs, double ReadMs, double DrawMs)
{
    public double PerTenThousand(double ms) => ms * 10_000 / Entries;
    public double EntriesPerSecond(double ms) => Entries / (ms / 1000);
}

/// <summary>
/// Reading a large manifest and drawing a few-shot split: a CSV manifest of N entries (80 %
/// train, 20 % test) over empty image files is read with <see cref="DatasetReader"/> (every
/// entry checked against the root, links followed, existence checked; images are not decoded),
/// then <see cref="FewShot.Draw"/> takes K shots per class with sym:0.5 noise. The baseline is
/// the least any reader must do, measured in the same run: File.ReadAllLines plus a split and
/// an int.Parse per line.
/// </summary>
public static class DataBench
{
    public static DataBenchResult Run(DataBenchConfig config, TextWriter log)
    {
        if (config.Entries < config.Classes * 2 || config.Classes < 2 || config.Repeats < 1 || config.Shots < 1)
            throw new InvalidInputException(
                $"bench data: need classes >= 2, entries >= 2 x classes, shots >= 1 and repeats >= 1 (got {config})");
        string dir = Directory.CreateTempSubdirectory("dspt-bench-data-").FullName;
        try
        {
            var sw = Stopwatch.StartNew();
            string manifest = Build(dir, config);
            log.WriteLine($"built {config.Entries} empty image files in {config.Classes} class folders in {sw.Elapsed.TotalSeconds:F1} s ({dir})");

            var noise = NoiseSpec.Parse("sym:0.5");
            // One untimed pass so that JIT compilation and a cold disk cache are not measured.
            FewShot.Draw(DatasetReader.Read(manifest), config.Shots, noise, 1);
            Baseline(manifest);

            var baseline = new List<double>();
            var read = new List<double>();
            var draw = new List<double>();
            for (int r = 0; r < config.Repeats; r++)
            {
                baseline.Add(Time(() => Baseline(manifest)));
                Dataset? d = null;
                read.Add(Time(() => d = DatasetReader.Read(manifest)));
                draw.Add(Time(() => FewShot.Draw(d!, config.Shots, noise, r + 1)));
            }
            return new DataBenchResult(config.Entries, Median(baseline), Median(read), Median(draw));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static string Build(string dir, DataBenchConfig config)
    {
        var lines = new List<string>(config.Entries + 1) { "path,label,split" };
        for (int c = 0; c < config.Classes; c++) Directory.CreateDirectory(Path.Combine(dir, $"c{c:D4}"));
        for (int i = 0; i < config.Entries; i++)
        {
            int c = i % config.Classes;
            string rel = $"c{c:D4}/img{i:D7}.jpg";
            File.Create(Path.Combine(dir, rel)).Dispose();
            lines.Add($"{rel},{c},{(i / config.Classes % 5 == 4 ? "test" : "train")}");
        }
        File.WriteAllLines(Path.Combine(dir, "classnames.txt"), Enumerable.Range(0, config.Classes).Select(c => $"class_{c}"));
        string manifest = Path.Combine(dir, "manifest.csv");
        File.WriteAllLines(manifest, lines);
        return manifest;
    }

    static long Baseline(string manifest)
    {
        long sum = 0;
        foreach (var line in File.ReadAllLines(manifest).Skip(1))
        {
            var f = line.Split(',');
            sum += int.Parse(f[1], CultureInfo.InvariantCulture) + f[0].Length + f[2].Length;
        }
        return sum;
    }

    static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
