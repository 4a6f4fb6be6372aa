using System.Globalization;

namespace Dspt.Sweeps;

/// <summary>
/// Which slice of a plan this process runs: run k (in plan order, after --only) belongs to shard
/// k mod Count. The index and count come from --shard i/n, else from the array-job variables of
/// Slurm (SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or _MIN/_MAX), Kubernetes Indexed Jobs
/// (JOB_COMPLETION_INDEX with --shards n) or AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX/_SIZE), so one
/// command line works under each.
/// </summary>
public sealed record Shard(int Index, int Count, string Source)
{
    public static Shard All { get; } = new(0, 1, "whole plan");

    public bool Owns(int position) => position % Count == Index;

    public IReadOnlyList<PlannedRun> Slice(IReadOnlyList<PlannedRun> runs) => [.. runs.Where((_, k) => Owns(k))];

    public override string ToString() => Count == 1 ? "whole plan" : $"shard {Index}/{Count} ({Source})";

    public static Shard Resolve(string? shardOption, int? shardsOption, Func<string, string?> env)
    {
        if (shardOption is not null)
        {
            var parts = shardOption.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || i >= n)
                throw new InvalidInputException($"--shard {shardOption}: expected i/n with 0 <= i < n, e.g. 0/4");
            if (shardsOption is int s && s != n) throw new InvalidInputException($"--shard {shardOption} and --shards {s} disagree on the number of shards");
            return new Shard(i, n, "--shard");
        }
        if (shardsOption is int count && count < 1) throw new InvalidInputException($"--shards {count}: expected at least 1");

        if (env("SLURM_ARRAY_TASK_ID") is { } slurmId)
        {
            int id = Int(slurmId, "SLURM_ARRAY_TASK_ID");
            if (env("SLURM_ARRAY_TASK_MIN") is { } min && env("SLURM_ARRAY_TASK_MAX") is { } max && env("SLURM_ARRAY_TASK_COUNT") is null)
            {
                int lo = Int(min, "SLURM_ARRAY_TASK_MIN"), hi = Int(max, "SLURM_ARRAY_TASK_MAX");
                return Checked(id - lo, shardsOption ?? hi - lo + 1, "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX - MIN + 1");
            }
            int lowest = env("SLURM_ARRAY_TASK_MIN") is { } m ? Int(m, "SLURM_ARRAY_TASK_MIN") : 0;
            int? n = shardsOption ?? (env("SLURM_ARRAY_TASK_COUNT") is { } c ? Int(c, "SLURM_ARRAY_TASK_COUNT") : null);
            return n is int total
                ? Checked(id - lowest, total, "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT")
                : throw new InvalidInputException("SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/_MAX; give --shards n");
        }
        if (env("JOB_COMPLETION_INDEX") is { } k8s)
            return shardsOption is int total
                ? Checked(Int(k8s, "JOB_COMPLETION_INDEX"), total, "JOB_COMPLETION_INDEX", "--shards")
                : throw new InvalidInputException("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the number of shards is not: give --shards n (the Job's completions)");
        if (env("AWS_BATCH_JOB_ARRAY_INDEX") is { } aws)
        {
            int? n = shardsOption ?? (env("AWS_BATCH_JOB_ARRAY_SIZE") is { } size ? Int(size, "AWS_BATCH_JOB_ARRAY_SIZE") : null);
            return n is int total
                ? Checked(Int(aws, "AWS_BATCH_JOB_ARRAY_INDEX"), total, "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE")
                : throw new InvalidInputException("AWS_BATCH_JOB_ARRAY_INDEX is set but AWS_BATCH_JOB_ARRAY_SIZE is not; give --shards n");
        }
        return shardsOption is int only && only != 1
            ? throw new InvalidInputException($"--shards {only} needs the shard's index: --shard i/{only}, or an array job's index variable (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)")
            : All;
    }

    static Shard Checked(int index, int count, string indexName, string countName) =>
        count >= 1 && index >= 0 && index < count ? new Shard(index, count, indexName)
            : throw new InvalidInputException($"shard index {index} (from {indexName}) is outside 0..{count - 1} (count from {countName})");

    static int Int(string value, string name) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n)
            ? n : throw new InvalidInputException($"environment variable {name}='{value}': expected an integer");
}
