using Dspt.Runs;

namespace Dspt.Sweeps;

/// <summary>Where a planned run stands in the output folder: not started, started (manifest, no final.json), finished.</summary>
public enum RunState { New, Partial, Done }

public static class RunStates
{
    public static RunState Of(string outDir, PlannedRun run)
    {
        var folder = new RunFolder(Path.Combine(outDir, run.Folder));
        return folder.IsComplete ? RunState.Done : folder.HasManifest ? RunState.Partial : RunState.New;
    }

    public static string Label(RunState state) => state switch { RunState.Done => "done", RunState.Partial => "partial", _ => "new" };
}
