using System.Diagnostics;
using System.Globalization;
using Dspt.Demo;
using Dspt.Reporting;
using Spectre.Console;

namespace Dspt.Cli.Progress;

/// <summary>The demo's progress on stderr: a live bar over all training runs (rate, ETA) on a terminal, plain lines otherwise.</summary>
public static class DemoProgressDisplay
{
    /// <param name="log">Where progress goes: stderr (see <see cref="StderrConsole"/>).</param>
    public static T Run<T>(TextWriter log, Func<IDemoProgress, T> work)
    {
        if (!StderrConsole.IsInteractive(log)) return work(new Plain(log));
        var console = StderrConsole.Create();
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => work(new Live(console, context.AddTask("demo", maxValue: 1))));
    }

    static string Describe(int done, int total, RunResult r, TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture,
        $"run {done}/{total} ({done / Math.Max(elapsed.TotalSeconds, 1e-9):F2} runs/s, ETA {TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done)):m\\:ss}): " +
        $"{r.Method,-4} {r.NoiseType} {r.NoiseRate:P0} seed {r.Seed} -> {r.Accuracy:F1} %");

    sealed class Plain(TextWriter output) : IDemoProgress
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        public void Stage(string what) => output.WriteLine(what);
        public void RunFinished(int done, int total, RunResult result) => output.WriteLine(Describe(done, total, result, clock.Elapsed));
    }

    sealed class Live(IAnsiConsole console, ProgressTask task) : IDemoProgress
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        public void Stage(string what)
        {
            task.Description = Markup.Escape(what);
            console.MarkupLine($"[grey]{Markup.Escape(what)}[/]");
        }

        public void RunFinished(int done, int total, RunResult result)
        {
            task.MaxValue = total;
            task.Value = done;
            task.Description = Markup.Escape(Describe(done, total, result, clock.Elapsed));
        }
    }
}
