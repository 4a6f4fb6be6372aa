using Dspt.Losses;
using Dspt.Tests.Clip;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Losses;

/// <summary>Each loss's gradient, in float64, against central finite differences and against the closed form its XML doc states.</summary>
public class LossGradientTests
{
    /// <summary>Every loss the registry builds (a new one is tested without touching this file; the closed-form test then asks for its formula).</summary>
    public static TheoryData<string> Names => [.. LossRegistry.Examples];

    static (Tensor Logits, Tensor Labels) Batch()
    {
        var generator = new Generator(11);
        // Scale 3 spreads p from near-one-hot to flat, so saturated and unsaturated regimes both appear.
        var logits = 3 * randn([5, 7], ScalarType.Float64, generator: generator);
        return (logits, tensor(new long[] { 0, 6, 3, 3, 1 }));
    }

    /// <summary>
    /// Central differences with h = 1e-5 have truncation error ~h^2 |L'''| ~ 1e-10 and rounding
    /// error ~eps |L| / h ~ 1e-11 for these O(1) losses: atol 1e-8.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var loss = LossRegistry.Create(name);
        var (logits, labels) = Batch();
        var z = logits.clone().requires_grad_();
        var analytic = torch.autograd.grad([loss.PerSample(z, labels).sum()], [z])[0];

        const double h = 1e-5;
        var numeric = zeros_like(logits);
        using (no_grad())
        {
            for (long i = 0; i < logits.shape[0]; i++)
                for (long j = 0; j < logits.shape[1]; j++)
                {
                    var plus = logits.clone(); plus[i, j] += h;
                    var minus = logits.clone(); minus[i, j] -= h;
                    numeric[i, j] = (loss.PerSample(plus, labels).sum() - loss.PerSample(minus, labels).sum()) / (2 * h);
                }
        }
        TensorAssert.Close(numeric, analytic, 1e-8, 0, $"{name} gradient vs finite differences");
    }

    /// <summary>The documented closed forms, evaluated directly (float64 rounding only: atol 1e-12).</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void GradientIsTheDocumentedClosedForm(string name)
    {
        var loss = LossRegistry.Create(name);
        var (logits, labels) = Batch();
        var z = logits.clone().requires_grad_();
        var autograd = torch.autograd.grad([loss.PerSample(z, labels).sum()], [z])[0];

        var p = softmax(logits, 1);
        var onehot = nn.functional.one_hot(labels, logits.shape[1]).to(ScalarType.Float64);
        var py = p.gather(1, labels.unsqueeze(1));
        var ceGrad = p - onehot;
        var expected = loss switch
        {
            CrossEntropyLoss => ceGrad,
            DsptLoss => DsptGradient(p, onehot),
            GceLoss gce => py.pow(gce.Q) * ceGrad,
            MaeLoss mae => mae.Scale * py * ceGrad,
            _ => throw new InvalidOperationException($"{name}: add the closed form of its gradient here"),
        };
        TensorAssert.Close(expected, autograd, 1e-12, 0, $"{name} gradient vs closed form");
    }

    /// <summary>dL/dz_i = p_i (g_i - sum_k p_k g_k), g = softmax(p) - e_y (DsptLoss's doc).</summary>
    internal static Tensor DsptGradient(Tensor p, Tensor onehot)
    {
        var g = softmax(p, 1) - onehot;
        return p * (g - (p * g).sum(1, keepdim: true));
    }
}
