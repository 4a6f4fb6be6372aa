using System.CommandLine;
using System.Globalization;
using Dspt.Bench;

namespace Dspt.Cli.Commands;

/// <summary><c>dspt bench &lt;what&gt;</c>: speed measurements recorded in docs/benchmarks.md.
/// Each benchmark is one subcommand in the list below.</summary>
public static class BenchCommand
{
    public static Command Create(NativeTuning? tuning)
    {
        var bench = new Command("bench", "Measure speed (results are recorded in docs/benchmarks.md)");
        foreach (var sub in new[]
        {
            Data(),
            BenchEncodeCommand.Create(),
            BenchTrainStepCommand.Create(tuning),
        })
            bench.Subcommands.Add(sub);
        return bench;
    }

    static Command Data()
    {
        var entries = new Option<int>("--entries") { Description = "Manifest entries", DefaultValueFactory = _ => 100_000 };
        var classes = new Option<int>("--num-classes") { Description = "Classes", DefaultValueFactory = _ => 1000 };
        var shots = CommonOptions.Shots("K shots per class", "16");
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats (the median is reported)", DefaultValueFactory = _ => 3 };
        var command = new Command("data", "Read a large CSV manifest and draw a few-shot split with noise, against a plain parse");
        foreach (var o in new Option[] { entries, classes, shots, repeats }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var config = new DataBenchConfig(parse.GetValue(entries), parse.GetValue(classes), CommonOptions.ParseShots(parse.GetValue(shots)!), parse.GetValue(repeats));
            var r = DataBench.Run(config, o);
            o.WriteLine($"{r.Entries} entries, {config.Classes} classes, {config.Shots} shots, median of {config.Repeats}");
            o.WriteLine($"{"stage",-42} {"ms",9} {"ms/10k",9} {"entries/s",12}");
            void Row(string stage, double ms) =>
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stage,-42} {ms,9:F1} {r.PerTenThousand(ms),9:F2} {r.EntriesPerSecond(ms),12:N0}"));
            Row("baseline: ReadAllLines + split + parse", r.BaselineMs);
            Row("DatasetReader.Read (checked manifest)", r.ReadMs);
            Row($"FewShot.Draw ({config.Shots} shots, sym:0.5)", r.DrawMs);
            Row("read + draw", r.ReadMs + r.DrawMs);
            return 0;
        });
        return command;
    }
}
