using Dspt.Sweeps;

namespace Dspt.Tests.Sweeps;

/// <summary>Which slice a process runs: --shard, and the array-job variables of Slurm, Kubernetes and AWS Batch.</summary>
public class ShardTests
{
    static Shard FromEnv(int? shards, params (string Name, string Value)[] env) =>
        Shard.Resolve(null, shards, name => env.FirstOrDefault(e => e.Name == name).Value);

    [Fact]
    public void IndexAndCountComeFromEachEngine()
    {
        Assert.Equal((2, 4), Pair(Shard.Resolve("2/4", null, _ => "9")));   // --shard wins over the environment
        Assert.Equal((3, 5), Pair(FromEnv(null, ("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "5"))));
        Assert.Equal((2, 4), Pair(FromEnv(null, ("SLURM_ARRAY_TASK_ID", "12"), ("SLURM_ARRAY_TASK_MIN", "10"), ("SLURM_ARRAY_TASK_MAX", "13"))));
        Assert.Equal((1, 3), Pair(FromEnv(3, ("JOB_COMPLETION_INDEX", "1"))));
        Assert.Equal((0, 2), Pair(FromEnv(null, ("AWS_BATCH_JOB_ARRAY_INDEX", "0"), ("AWS_BATCH_JOB_ARRAY_SIZE", "2"))));
        Assert.Equal((0, 1), Pair(FromEnv(null)));
    }

    [Fact]
    public void InconsistentShardsAreRefused()
    {
        Assert.Contains("expected i/n", Assert.Throws<InvalidInputException>(() => Shard.Resolve("4/4", null, _ => null)).Message);
        Assert.Contains("give --shards n", Assert.Throws<InvalidInputException>(() => FromEnv(null, ("JOB_COMPLETION_INDEX", "1"))).Message);
        Assert.Contains("outside 0..2", Assert.Throws<InvalidInputException>(() => FromEnv(null, ("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "3"))).Message);
        Assert.Contains("needs the shard's index", Assert.Throws<InvalidInputException>(() => FromEnv(4)).Message);
    }

    [Fact]
    public void SlicesPartitionThePlan()
    {
        var runs = PlanExpansion.Expand(PlanReader.Parse(SweepPlans.Tiny, "/p/plan.yaml"));
        for (int n = 1; n <= 5; n++)
        {
            var slices = Enumerable.Range(0, n).Select(i => new Shard(i, n, "test").Slice(runs)).ToList();
            Assert.Equal(runs.Select(r => r.Id).Order(), slices.SelectMany(s => s).Select(r => r.Id).Order());
            Assert.True(slices.Max(s => s.Count) - slices.Min(s => s.Count) <= 1);
        }
    }

    static (int, int) Pair(Shard s) => (s.Index, s.Count);
}
