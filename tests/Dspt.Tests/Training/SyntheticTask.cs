using Dspt.Prompting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Tests.Training;

/// <summary>
/// A small, learnable stand-in for CLIP features: K class centres in D dimensions, N samples per
/// view drawn around their centre, labels with some flipped. The "prompt" is a cosine classifier
/// whose class vectors are the trained parameter, i.e. CoOp's logits with the text encoder
/// replaced by the identity, so trainer tests run in milliseconds.
/// </summary>
sealed class SyntheticTask : IDisposable
{
    public required Tensor Features { get; init; }   // (N, V, D) float32
    public required long[] Labels { get; init; }
    public required int Classes { get; init; }

    public static SyntheticTask Create(int n = 40, int classes = 3, int dim = 6, int views = 1, long seed = 5)
    {
        var g = new Generator((ulong)seed);
        var centres = randn([classes, dim], generator: g);
        var truth = Enumerable.Range(0, n).Select(i => (long)(i % classes)).ToArray();
        var features = centres[tensor(truth)].unsqueeze(1) + 0.8f * randn([n, views, dim], generator: g);
        var random = new Random((int)seed);
        var labels = truth.Select(y => random.NextDouble() < 0.25 ? (y + 1) % classes : y).ToArray();
        return new SyntheticTask { Features = features, Labels = labels, Classes = classes };
    }

    public static TrainablePrompt CosinePrompt(int classes, long dim, long seed)
    {
        var ctx = new Parameter(0.02f * randn([classes, dim], generator: new Generator((ulong)seed)));
        return new TrainablePrompt(ctx, x => CosineLogits(x, ctx));
    }

    public static Tensor CosineLogits(Tensor x, Tensor ctx) =>
        10 * nn.functional.normalize(x, dim: 1).matmul(nn.functional.normalize(ctx, dim: 1).t());

    public TrainablePrompt NewPrompt(long seed = 11) => CosinePrompt(Classes, Features.shape[2], seed);

    public void Dispose() => Features.Dispose();
}
