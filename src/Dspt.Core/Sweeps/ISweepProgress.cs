using Dspt.Runs;
using Dspt.Training;

namespace Dspt.Sweeps;

/// <summary>Where a sweep reports; called on the sweep's thread.</summary>
public interface ISweepProgress
{
    void Status(string message);

    /// <summary>Before run <paramref name="position"/> (1-based) of <paramref name="total"/>; returns the training display for it, or null.</summary>
    ITrainingProgress? RunStarting(int position, int total, PlannedRun run, RunState state);

    void RunFinished(int position, int total, PlannedRun run, FinalResult result, bool skipped);
}
