using Dspt.Losses;
using Dspt.Objectives;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Tests.Objectives;

/// <summary>NLPrompt's PromptOT: the log-domain Sinkhorn against a plain one, and the clean/noisy split it drives.</summary>
public class NLPromptTests
{
    /// <summary>POT's sinkhorn_knopp written out plainly in doubles: v = b / K'u, u = a / Kv, column error every 10 iterations.</summary>
    static (double[,] Plan, int Iterations) PlainSinkhorn(double[,] cost, double reg, int maxIterations = 1000, double tolerance = 1e-6)
    {
        int n = cost.GetLength(0), c = cost.GetLength(1);
        var k = new double[n, c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
                k[i, j] = Math.Exp(-cost[i, j] / reg);
        var u = Enumerable.Repeat(1.0 / n, n).ToArray();
        var v = Enumerable.Repeat(1.0 / c, c).ToArray();
        int iterations = 0;
        double[,] Plan()
        {
            var p = new double[n, c];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < c; j++)
                    p[i, j] = u[i] * k[i, j] * v[j];
            return p;
        }
        for (int it = 0; it < maxIterations; it++)
        {
            for (int j = 0; j < c; j++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += k[i, j] * u[i];
                v[j] = 1.0 / c / s;
            }
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < c; j++) s += k[i, j] * v[j];
                u[i] = 1.0 / n / s;
            }
            iterations = it + 1;
            if (it % 10 == 0)
            {
                var p = Plan();
                double error = Math.Sqrt(Enumerable.Range(0, c).Sum(j => Math.Pow(Enumerable.Range(0, n).Sum(i => p[i, j]) - 1.0 / c, 2)));
                if (error < tolerance) break;
            }
        }
        return (Plan(), iterations);
    }

    static double[,] ToArray(Tensor t)
    {
        var flat = t.to(ScalarType.Float64).data<double>().ToArray();
        int n = (int)t.shape[0], c = (int)t.shape[1];
        var a = new double[n, c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
                a[i, j] = flat[i * c + j];
        return a;
    }

    [Fact]
    public void LogDomainSinkhornIsThePlainOneWhereThatDoesNotUnderflow()
    {
        using var scope = NewDisposeScope();
        var cost = rand([30, 5], dtype: ScalarType.Float64, generator: new Generator(4));
        var (expected, expectedIterations) = PlainSinkhorn(ToArray(cost), 0.1);
        using var result = Sinkhorn.Solve(cost, 0.1);
        Assert.Equal(expectedIterations, result.Iterations);
        var plan = ToArray(result.Plan);
        double worst = 0;
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 5; j++)
                worst = Math.Max(worst, Math.Abs(plan[i, j] - expected[i, j]) / expected[i, j]);
        // Same arithmetic reordered (log-sum-exp instead of products): relative error at float64 rounding level.
        Assert.True(worst < 1e-10, $"largest relative difference {worst:E2}");
    }

    /// <summary>
    /// NLPrompt's regularisation 0.01 on its cost for 100 * cosine logits (40 samples, 8 classes):
    /// the plan converges to both marginals within its 1000 iterations. Its plain kernel needs
    /// float64 there (exp(-M / 0.01) ~ exp(-220)).
    /// </summary>
    [Fact]
    public void AtNLPromptsRegularisationThePlanReachesBothMarginals()
    {
        using var scope = NewDisposeScope();
        var logits = 100 * (0.2 + 0.01 * randn([40, 8], dtype: ScalarType.Float64, generator: new Generator(5)));
        var cost = nn.functional.log_softmax(softmax(logits, 1), 1).neg();
        using var result = Sinkhorn.Solve(cost, 0.01);
        Assert.True(result.MarginalError < 1e-6, $"column marginal error {result.MarginalError:E2} after {result.Iterations} iterations");
        TensorAssert.AllNear(result.Plan.sum(dim: 1), 1.0 / 40, 1e-12, "plan row sums");
        TensorAssert.AllNear(result.Plan.sum(dim: 0), 1.0 / 8, 1e-6, "plan column sums");
    }

    /// <summary>
    /// At 0.001 (a later NLPrompt script) the plain kernel underflows to 0 even in float64 and
    /// Sinkhorn converges slowly: the log-domain plan stays finite, its rows exact, and the error it
    /// reports is the true one (it is not hidden when the iterations run out), smaller than at the start.
    /// </summary>
    [Fact]
    public void AtATinyRegularisationThePlanStaysFiniteAndReportsItsError()
    {
        using var scope = NewDisposeScope();
        var logits = 100 * (0.2 + 0.05 * randn([40, 8], dtype: ScalarType.Float64, generator: new Generator(5)));
        var cost = nn.functional.log_softmax(softmax(logits, 1), 1).neg();
        Assert.Contains(ToArray(cost).Cast<double>(), m => Math.Exp(-m / 0.001) == 0);
        using var first = Sinkhorn.Solve(cost, 0.001, maxIterations: 1);
        using var result = Sinkhorn.Solve(cost, 0.001, maxIterations: 995);
        Assert.True(result.Plan.isfinite().all().item<bool>());
        TensorAssert.AllNear(result.Plan.sum(dim: 1), 1.0 / 40, 1e-12, "plan row sums");
        double columnError = result.Plan.sum(dim: 0).sub(1.0 / 8).square().sum().sqrt().item<double>();
        Assert.Equal(columnError, result.MarginalError, 1e-15);
        Assert.True(result.MarginalError < first.MarginalError, $"error {first.MarginalError:E2} -> {result.MarginalError:E2}");
    }

    /// <summary>Balanced classes (sample i is class i mod C), each sample about 10 logits surer of its class than of any other.</summary>
    static (Tensor Logits, long[] Truth) ConfidentLogits(int n, int c, ulong seed)
    {
        var truth = Enumerable.Range(0, n).Select(i => (long)(i % c)).ToArray();
        var logits = 20 + 2 * randn([n, c], generator: new Generator(seed));
        for (int i = 0; i < n; i++) logits[i, truth[i]].add_(10);
        return (logits, truth);
    }

    [Fact]
    public void ConfidentSamplesWithWrongLabelsAreTheNoisyOnes()
    {
        using var scope = NewDisposeScope();
        int n = 40, c = 4;
        var (logits, truth) = ConfidentLogits(n, c, seed: 6);
        var given = truth.ToArray();
        int[] flipped = [1, 6, 11, 20, 27, 33, 38, 39];
        foreach (int i in flipped) given[i] = (given[i] + 1 + i % 3) % c;
        var clean = NLPromptObjective.Select(logits, given);
        Assert.Equal(Enumerable.Range(0, n).Where(i => !flipped.Contains(i)), Enumerable.Range(0, n).Where(i => clean[i]));
    }

    /// <summary>
    /// The equal-marginal constraint is what separates OT from plain argmax: a prior that pulls
    /// every sample towards class 0 makes argmax pick 0 everywhere, while OT gives each class a
    /// quarter of the samples, and each sample's second choice is its true class.
    /// </summary>
    [Fact]
    public void BalancedTransportUndoesAClassPriorThatArgmaxFollows()
    {
        using var scope = NewDisposeScope();
        int n = 40, c = 4;
        var truth = Enumerable.Range(0, n).Select(i => (long)(i % c)).ToArray();
        var logits = zeros(n, c);
        for (int i = 0; i < n; i++)
        {
            logits[i, 0].add_(5);
            logits[i, truth[i]].add_(3);
        }
        Assert.All(logits.argmax(1).data<long>().ToArray(), p => Assert.Equal(0L, p));
        Assert.All(NLPromptObjective.Select(logits, truth), Assert.True);
    }

    [Fact]
    public void AnEpochTrainsCleanBatchesWithCEThenTheRestWithMAE()
    {
        using var scope = NewDisposeScope();
        int n = 100, c = 4;
        var (logits, truth) = ConfidentLogits(n, c, seed: 7);
        var given = truth.ToArray();
        var flipped = Enumerable.Range(0, n).Where(i => i % 5 == 0).ToHashSet();
        foreach (int i in flipped) given[i] = (given[i] + 1) % c;
        var objective = new NLPromptObjective();
        EpochContext Context(int epoch) => new(epoch, 10, 16, 3, given, () => logits.clone());

        var plan = objective.PlanEpoch(Context(2));
        // 80 clean samples -> 5 CE batches of 16; 20 noisy -> one MAE batch (the last 4 dropped, as Dassl does).
        Assert.Equal(["ce", "ce", "ce", "ce", "ce", "mae"], plan.Select(b => b.Loss.Name));
        Assert.All(plan, b => Assert.Equal(16, b.Indices.Length));
        var cleanSeen = plan.Where(b => b.Loss is CrossEntropyLoss).SelectMany(b => b.Indices).ToList();
        Assert.Equal(80, cleanSeen.Distinct().Count());
        Assert.DoesNotContain(cleanSeen, flipped.Contains);
        Assert.All(plan.Where(b => b.Loss is MaeLoss).SelectMany(b => b.Indices), i => Assert.Contains(i, flipped));

        // Deterministic for an epoch, reshuffled across epochs.
        Assert.Equal(plan.SelectMany(b => b.Indices), objective.PlanEpoch(Context(2)).SelectMany(b => b.Indices));
        Assert.NotEqual(plan.SelectMany(b => b.Indices), objective.PlanEpoch(Context(3)).SelectMany(b => b.Indices));
    }

    [Theory]
    [InlineData("nlprompt", "nlprompt")]
    [InlineData("NLPrompt:0.001", "nlprompt:0.001")]
    [InlineData("dspt", "dspt")]
    public void ObjectivesAreBuiltByName(string name, string canonical) =>
        Assert.Equal(canonical, TrainingObjectives.Create(name).Name);

    [Fact]
    public void ABadRegularisationIsRejected()
    {
        var e = Assert.Throws<InvalidInputException>(() => TrainingObjectives.Create("nlprompt:-1"));
        Assert.Contains("nlprompt:-1", e.Message);
    }
}
