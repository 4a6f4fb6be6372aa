using static TorchSharp.torch;

namespace Dspt.Evaluation;

/// <summary>
/// Multinomial logistic regression on L2-normalised image features, CLIP's linear-probe protocol
/// at toy scale: full-batch L-BFGS, the L2 penalty chosen from a grid by 2-fold cross-validation
/// on the training shots (CLIP swept it on a validation split). It says how much the image
/// features hold beyond what the text prior uses.
/// </summary>
public static class LinearProbe
{
    static readonly double[] Penalties = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2];

    public static double Accuracy(Tensor trainFeatures, long[] trainLabels, Tensor testFeatures, long[] testLabels, int classes)
    {
        using var scope = NewDisposeScope();
        var x = Normalize(trainFeatures);
        var xt = Normalize(testFeatures);
        // Folds by position within each class so both halves hold every class.
        var fold = new int[trainLabels.Length];
        var seen = new Dictionary<long, int>();
        for (int i = 0; i < trainLabels.Length; i++)
            fold[i] = seen[trainLabels[i]] = seen.GetValueOrDefault(trainLabels[i], -1) + 1;
        double best = double.NegativeInfinity, bestPenalty = Penalties[0];
        foreach (var penalty in Penalties)
        {
            double correct = 0;
            for (int f = 0; f < 2; f++)
            {
                var fit = Enumerable.Range(0, fold.Length).Where(i => fold[i] % 2 != f).ToArray();
                var held = Enumerable.Range(0, fold.Length).Where(i => fold[i] % 2 == f).ToArray();
                var (w, b) = Fit(Rows(x, fit), [.. fit.Select(i => trainLabels[i])], classes, penalty);
                correct += Hits(Rows(x, held), [.. held.Select(i => trainLabels[i])], w, b);
            }
            if (correct > best) (best, bestPenalty) = (correct, penalty);
        }
        var (weight, bias) = Fit(x, trainLabels, classes, bestPenalty);
        return 100.0 * Hits(xt, testLabels, weight, bias) / testLabels.Length;
    }

    static Tensor Normalize(Tensor f) => f / f.norm(dim: 1, keepdim: true);

    static Tensor Rows(Tensor x, int[] rows) => x.index_select(0, tensor(rows.Select(r => (long)r).ToArray()));

    static (Tensor Weight, Tensor Bias) Fit(Tensor x, long[] labels, int classes, double penalty)
    {
        var y = tensor(labels);
        var weight = nn.Parameter(zeros(x.shape[1], classes));
        var bias = nn.Parameter(zeros(classes));
        var optimizer = LibTorchWarnings.Suppressed(() => optim.LBFGS([weight, bias], lr: 1, max_iter: 300, history_size: 20));
        optimizer.step(() =>
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(x.matmul(weight) + bias, y) + penalty * weight.pow(2).sum();
            loss.backward();
            return loss;
        });
        return (weight.detach(), bias.detach());
    }

    static long Hits(Tensor x, long[] labels, Tensor weight, Tensor bias)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return TopOne.Hits(x.matmul(weight) + bias, tensor(labels));
    }
}
