using System.Globalization;
using Dspt.Training;
using Spectre.Console;

namespace Dspt.Cli.Progress;

/// <summary>
/// Shows training progress on stderr: a live Spectre.Console bar (epoch, loss, lr, samples/s, ETA) on an
/// interactive terminal, plain lines otherwise (redirected output, tests, CI): one per epoch and
/// a step line at most every <see cref="PlainStepInterval"/> in long epochs.
/// </summary>
public static class TrainingProgressDisplay
{
    public static readonly TimeSpan PlainStepInterval = TimeSpan.FromSeconds(15);

    /// <param name="log">Where progress goes: stderr (see <see cref="StderrConsole"/>).</param>
    /// <param name="train">Gets the progress sink and a status sink for messages outside the
    /// training loop (encoding, evaluation); on a terminal those are written above the live bar,
    /// never into it.</param>
    public static T Run<T>(TextWriter log, Func<ITrainingProgress, Action<string>, T> train)
    {
        if (!StderrConsole.IsInteractive(log)) return train(new PlainProgress(log), log.WriteLine);
        var console = StderrConsole.Create();
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                return train(new LiveProgress(console, task), message =>
                {
                    task.Description = Markup.Escape(message);
                    console.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
                });
            });
    }

    internal static string Describe(StepProgress s) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {s.Epoch}/{s.Epochs} step {s.Step}/{s.Steps}  loss {s.Loss:F4}  lr {s.LearningRate:0.###e+00}  {s.SamplesPerSecond:F1} samples/s  ETA {Format(s.Remaining)}");

    internal static string Describe(EpochMetrics m, int epochs, TimeSpan? remaining) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {m.Epoch}/{epochs}  loss {m.Loss:F4}  lr {m.LearningRate:0.###e+00}  train acc {m.TrainAccuracy:F1}% (given labels)  {m.SamplesPerSecond:F1} samples/s  {m.Seconds:F1}s  ETA {Format(remaining)}");

    static string Format(TimeSpan? t) => t is not { } v ? "?"
        : v.TotalHours >= 1 ? $"{(int)v.TotalHours}:{v.Minutes:00}:{v.Seconds:00}" : $"{v.Minutes}:{v.Seconds:00}";

    sealed class PlainProgress(TextWriter output) : ITrainingProgress
    {
        DateTime lastLine = DateTime.UtcNow;
        StepProgress? last;

        public void Step(StepProgress step)
        {
            last = step;
            if (DateTime.UtcNow - lastLine < PlainStepInterval || step.Step == step.Steps) return;
            output.WriteLine(Describe(step));
            lastLine = DateTime.UtcNow;
        }

        public void EpochCompleted(EpochMetrics metrics, IReadOnlyList<EpochMetrics> all)
        {
            output.WriteLine(Describe(metrics, last?.Epochs ?? metrics.Epoch, last?.Remaining));
            output.Flush();
            lastLine = DateTime.UtcNow;
        }
    }

    sealed class LiveProgress(IAnsiConsole console, ProgressTask task) : ITrainingProgress
    {
        StepProgress? last;

        public void Step(StepProgress step)
        {
            last = step;
            task.MaxValue = (double)step.Epochs * step.Steps;
            task.Value = (double)(step.Epoch - 1) * step.Steps + step.Step;
            task.Description = Markup.Escape(Describe(step));
        }

        // Written above the live bar, which Spectre keeps at the bottom.
        public void EpochCompleted(EpochMetrics metrics, IReadOnlyList<EpochMetrics> all) =>
            console.WriteLine(Describe(metrics, last?.Epochs ?? metrics.Epoch, last?.Remaining));
    }
}
