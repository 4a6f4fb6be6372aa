using System.Text;

namespace Dspt.Sweeps;

/// <summary>
/// An sbatch script for a sweep: a job array with one task per shard (each task runs
/// <c>dspt sweep</c>, which takes its slice from SLURM_ARRAY_TASK_ID/COUNT), CPUs, memory, time
/// and partition per task, one log per task under OUT/logs.
/// </summary>
public static class SlurmScript
{
    public static string Render(ClusterJobOptions o)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"#SBATCH --job-name={o.JobName}\n");
        sb.Append($"#SBATCH --array=0-{o.Tasks - 1}\n");
        sb.Append("#SBATCH --ntasks=1\n");
        sb.Append($"#SBATCH --cpus-per-task={o.CpusPerTask}\n");
        sb.Append($"#SBATCH --mem={o.Memory}\n");
        sb.Append($"#SBATCH --time={o.Time}\n");
        if (o.Partition is not null) sb.Append($"#SBATCH --partition={o.Partition}\n");
        sb.Append($"#SBATCH --output={Path.Combine(o.OutDir, "logs")}/%x-%A_%a.log\n");
        sb.Append("# Written by `dspt sweep --emit slurm`. Every task runs the same command; dspt takes its share of the\n");
        sb.Append("# plan from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT. Submitting again resumes: finished runs are skipped.\n");
        sb.Append("set -euo pipefail\n");
        sb.Append($"exec {o.Dspt} {string.Join(" ", o.SweepArguments().Select(Shell.Quote))}\n");
        return sb.ToString();
    }
}

/// <summary>POSIX shell quoting.</summary>
public static class Shell
{
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@%+,".Contains(c)) ? s : "'" + s.Replace("'", "'\"'\"'") + "'";
}
