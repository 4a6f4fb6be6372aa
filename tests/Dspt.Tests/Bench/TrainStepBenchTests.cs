using System.Text.Json;
using Dspt.Bench;
using Dspt.Cli;

namespace Dspt.Tests.Bench;

public class TrainStepBenchTests
{
    /// <summary>
    /// benchmarking-here.md: one 77-token ViT-B/16 text prompt costs 12.07 GFLOP forward + backward
    /// (profiler and analytic count agree; PyTorch 1.13's attention computes all 77^2 pairs).
    /// The same layout through our formula: within 1 % (norms and activations are left out).
    /// </summary>
    [Fact]
    public void ComputedFlopsMatchTheProfiledPlainPrompt()
    {
        double flops = TrainStepFlops.Computed(TrainStepBench.Config, classes: 1, rows: 77, outProjectionRows: 77, attentionPairs: 77 * 77);
        Assert.InRange(flops / 1e9, 12.07 * 0.99, 12.07 * 1.01);
    }

    /// <summary>The floor can never exceed what a correct layout computes, and shrinks with the work it leaves out.</summary>
    [Fact]
    public void FloorIsBelowEveryLayoutThatComputesTheSameFeatures()
    {
        var config = TrainStepBench.Config;
        int prefix = 17;
        int[] eots = [20, 21, 22, 25];   // suffix lengths 4, 5, 6, 9
        double floor = TrainStepFlops.Floor(config, prefix, eots);
        int rows = prefix + eots.Sum(e => e + 1 - prefix);
        double packedOneGroup = TrainStepFlops.Computed(config, eots.Length, rows, 64 * 2, 2L * 64 * (prefix + 64));
        double plain = TrainStepFlops.Computed(config, eots.Length, eots.Length * 77, eots.Length * 77, eots.Length * 77L * 78 / 2);
        Assert.True(floor < packedOneGroup && packedOneGroup < plain);
        // Exact bookkeeping of the floor's linear part dominates: 2 (fwd + bwd) x 24 W^2 per token and layer.
        double linearOnly = 2 * 24.0 * rows * 12 * 512 * 512;
        Assert.InRange(floor / linearOnly, 0.9, 1.0);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void CommandPrintsOneJsonObjectWhoseVariantsAgree()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string vocab = Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz");
        int code = DsptCli.Run(["bench", "train-step", "--num-classes", "3", "--batch-size", "4", "--steps", "1", "--warmup", "0",
            "--no-peaks", "--json", "--vocab", vocab], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var json = JsonDocument.Parse(stdout.ToString()).RootElement;
        foreach (var key in new[] { "plain_ms", "fast_ms", "speedup", "floor_ms", "floor_ratio", "peak_rss_mb", "matmul_gflops" })
            Assert.True(json.TryGetProperty(key, out _), $"missing {key}");
        var variants = json.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(["plain", "truncate", "share", "fast"], variants.Select(v => v.GetProperty("name").GetString()));
        Assert.Equal(3 * 77, variants[0].GetProperty("tokens_per_step").GetInt64());
        // The same start, data and optimizer: every variant's loss must follow plain CoOp's (float32 noise only).
        foreach (var v in variants)
            Assert.True(v.GetProperty("max_loss_deviation").GetDouble() < 1e-4, v.GetProperty("name").GetString());
        Assert.True(json.GetProperty("floor_ms").GetDouble() > 0);
    }

    /// <summary>CoCoOp's step: every variant follows the plain per-image computation; the batch multiplies the work.</summary>
    [Fact]
    public void CoCoOpVariantsAgreeAndScaleWithTheBatch()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string vocab = Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz");
        int code = DsptCli.Run(["bench", "train-step", "--learner", "cocoop", "--num-classes", "3", "--batch-size", "2", "--steps", "1", "--warmup", "0",
            "--no-peaks", "--json", "--vocab", vocab], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var json = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.Equal("cocoop", json.GetProperty("learner").GetString());
        Assert.Equal(4, json.GetProperty("n_ctx").GetInt32());
        var variants = json.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(2 * 3 * 77, variants[0].GetProperty("tokens_per_step").GetInt64());
        foreach (var v in variants)
            Assert.True(v.GetProperty("max_loss_deviation").GetDouble() < 1e-4, v.GetProperty("name").GetString());
    }

    /// <summary>
    /// --untruncated-per-image: plain takes the images one at a time with a backward each; the
    /// second step's loss follows the batched fast variant's, so the accumulated gradient is the
    /// batch's. --variants runs only those beside plain.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void CoCoOpPlainPerImageFollowsTheBatchedStep()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string vocab = Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz");
        int code = DsptCli.Run(["bench", "train-step", "--learner", "cocoop", "--num-classes", "3", "--batch-size", "3", "--steps", "2", "--warmup", "0",
            "--no-peaks", "--json", "--vocab", vocab, "--variants", "fast", "--untruncated-per-image"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var json = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.True(json.GetProperty("untruncated_per_image").GetBoolean());
        var variants = json.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(["plain", "fast"], variants.Select(v => v.GetProperty("name").GetString()));
        Assert.True(variants[1].GetProperty("max_loss_deviation").GetDouble() < 1e-4);

        Assert.Equal(2, DsptCli.Run(["bench", "train-step", "--variants", "fastest", "--vocab", vocab], new StringWriter(), stderr));
        Assert.Contains("unknown variant 'fastest'", stderr.ToString());
        Assert.Equal(2, DsptCli.Run(["bench", "train-step", "--untruncated-per-image", "--num-classes", "3", "--vocab", vocab], new StringWriter(), stderr));
        Assert.Contains("only for --learner cocoop", stderr.ToString());
    }

    [Fact]
    public void RejectsAClassCountBeyondTheNames()
    {
        var stderr = new StringWriter();
        int code = DsptCli.Run(["bench", "train-step", "--num-classes", "103", "--no-peaks"], new StringWriter(), stderr);
        Assert.Equal(2, code);
        Assert.Contains("--classes 103: expected 1..102", stderr.ToString());
    }

    [Fact]
    public void FlowerNamesAreTheHundredAndTwoDistinctClasses() =>
        Assert.Equal(102, FlowerNames.All.Distinct().Count());
}
