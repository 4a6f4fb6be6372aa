namespace Dspt.Sweeps;

/// <summary>
/// What an emitted cluster job needs: how to call dspt there, the plan and output paths as the
/// job sees them, the number of array tasks, and the resources per task.
/// </summary>
public sealed record ClusterJobOptions(
    string Dspt,
    string Plan,
    string OutDir,
    string JobName,
    int Tasks,
    int CpusPerTask = 2,
    string Memory = "8G",
    string Time = "04:00:00",
    string? Partition = null,
    IReadOnlyList<string>? Only = null,
    string? CacheDirectory = null,
    string Image = "dspt:latest",
    int? Parallelism = null,
    string? VolumeClaim = null,
    string WorkingDirectory = "/work")
{
    /// <summary>The arguments after the dspt command, common to every engine.</summary>
    public IEnumerable<string> SweepArguments()
    {
        yield return "sweep";
        yield return Plan;
        yield return "--out";
        yield return OutDir;
        yield return "--threads";
        yield return CpusPerTask.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var o in Only ?? [])
        {
            yield return "--only";
            yield return o;
        }
        if (CacheDirectory is not null)
        {
            yield return "--cache-dir";
            yield return CacheDirectory;
        }
    }
}
