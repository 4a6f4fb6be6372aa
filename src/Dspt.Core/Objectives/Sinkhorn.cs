using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Objectives;

/// <summary>
/// Entropic optimal transport between uniform marginals (a = 1/N over rows, b = 1/C over
/// columns): the plan minimising &lt;P, M&gt; - reg * H(P). Sinkhorn's iterations in the log domain,
/// in float64: at NLPrompt's regularisation 0.01 the plain kernel exp(-M / reg) underflows in
/// float32, at a later script's 0.001 even in float64. Same update order and stopping rule as POT's <c>ot.sinkhorn</c>
/// (columns, then rows; every 10 iterations, stop when the L2 error of the column marginals is
/// below the tolerance).
/// </summary>
public static class Sinkhorn
{
    public sealed record Result(Tensor Plan, int Iterations, double MarginalError) : IDisposable
    {
        public void Dispose() => Plan.Dispose();
    }

    public static Result Solve(Tensor cost, double reg, int maxIterations = 1000, double tolerance = 1e-6)
    {
        if (cost.dim() != 2 || cost.shape[0] < 1 || cost.shape[1] < 1)
            throw new ArgumentException($"cost must be a non-empty N x C matrix, got shape [{string.Join(", ", cost.shape)}]");
        if (!(reg > 0)) throw new ArgumentOutOfRangeException(nameof(reg), reg, "the regularisation must be positive");
        using var scope = NewDisposeScope();
        long n = cost.shape[0], c = cost.shape[1];
        using var regScalar = reg.ToScalar();
        var scaled = cost.to(ScalarType.Float64).neg().div(regScalar);
        using var logA = (-Math.Log(n)).ToScalar();
        using var logB = (-Math.Log(c)).ToScalar();
        // Log-potentials: plan = exp(scaled + alpha_i + beta_j).
        var alpha = zeros(n, dtype: ScalarType.Float64, device: cost.device);
        var beta = zeros(c, dtype: ScalarType.Float64, device: cost.device);
        int iterations = 0;
        for (int it = 0; it < maxIterations; it++)
        {
            using (var step = NewDisposeScope())
            {
                var newBeta = scaled.Plus(alpha.unsqueeze(1)).logsumexp(0).neg().add(logB, NativeScalars.One).MoveToOuterDisposeScope();
                beta.Dispose();
                beta = newBeta;
                var newAlpha = scaled.Plus(beta.unsqueeze(0)).logsumexp(1).neg().add(logA, NativeScalars.One).MoveToOuterDisposeScope();
                alpha.Dispose();
                alpha = newAlpha;
            }
            iterations = it + 1;
            if (it % 10 == 0)
            {
                using var current = Plan(scaled, alpha, beta);
                if (ColumnError(current, c) < tolerance) break;
            }
        }
        var plan = Plan(scaled, alpha, beta);
        // Reported for the plan returned, also when the iterations ran out between two checks.
        return new Result(plan.MoveToOuterDisposeScope(), iterations, ColumnError(plan, c));
    }

    static Tensor Plan(Tensor scaled, Tensor alpha, Tensor beta) => scaled.Plus(alpha.unsqueeze(1)).Plus(beta.unsqueeze(0)).exp();

    /// <summary>L2 distance of the plan's column sums from 1/C.</summary>
    static double ColumnError(Tensor plan, long c)
    {
        using var scope = NewDisposeScope();
        using var target = (1.0 / c).ToScalar();
        return plan.sum(dim: 0).sub(target).square().sum().sqrt().item<double>();
    }
}
