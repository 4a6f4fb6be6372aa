using Dspt.Clip;
using Dspt.Losses;
using Dspt.Prompting;
using Dspt.Tests.Clip;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// CoCoOp's speed-ups (truncation at each class's EOT; the SOT + context prefix computed once
/// per image and shared by its classes; both) against its plain per-image computation on a
/// deeper random text tower (4 layers, width 64, 2 heads), 3 images, 7 or 40 classes (40 gives
/// several attention groups per image): logits, CE and DSPT losses, and the gradient of every
/// trainable tensor (ctx and the meta-net's four). A wrong mask, a prefix shared across images
/// or a missing gradient path shows up as differences of 1e-2 or more.
/// Float64: logits and losses agree to 1e-12; gradients to 1e-6 of their largest entry (CLIP's
/// LayerNorm computes in float32 whatever the input dtype, and with sharing the classes'
/// prefix gradients are summed before that LayerNorm's backward instead of after, as for CoOp).
/// Float32: only the order of sums differs; tolerances as CoOp's speed-up test (logits 2e-5,
/// losses 5e-6, gradients 5e-5 relative to their largest entry).
/// </summary>
public class CoCoOpSpeedUpTests
{
    static readonly ClipConfig Config = new(EmbedDim: 32, ImageResolution: 32, VisionLayers: [1], VisionWidth: 64,
        VisionPatchSize: 16, ContextLength: 77, VocabSize: 49408, TransformerWidth: 64, TransformerHeads: 2, TransformerLayers: 4);

    static readonly int[] NameLengths = [1, 5, 2, 9, 3, 1, 4];

    public static TheoryData<int, int, ScalarType> Setups => new()
    {
        { 4, 7, ScalarType.Float64 },
        { 4, 7, ScalarType.Float32 },
    };

    [Theory]
    [MemberData(nameof(Setups))]
    public void SpeedUpsGiveThePlainLogitsLossesAndGradients(int nCtx, int classes, ScalarType dtype) => Compare(nCtx, classes, dtype);

    /// <summary>Enough classes for several attention groups per image.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void SpeedUpsAreExactWithSeveralAttentionGroups() => Compare(16, 40, ScalarType.Float64);

    static void Compare(int nCtx, int classes, ScalarType dtype)
    {
        using var model = new ClipModel(Config);
        model.InitializeParameters(seed: 5);
        model.to(dtype);
        var nameLengths = Enumerable.Range(0, classes).Select(k => NameLengths[k % NameLengths.Length] + k / NameLengths.Length % 3).ToArray();
        var tokens = SyntheticPrompts.Tokens(nameLengths, nCtx, Config.ContextLength, seed: 6);
        var names = SyntheticPrompts.Names(classes);
        var image = randn([3, Config.EmbedDim], generator: new Generator(7)).to(dtype);
        var labels = tensor(new long[] { 0, 3, 6 });
        var options = new PromptOptions(new PromptLayout(NCtx: nCtx));

        var plain = Run(model, tokens, names, options.Plain(), image, labels);
        foreach (var (truncate, share) in new[] { (true, false), (false, true), (true, true) })
        {
            var fast = Run(model, tokens, names, options with { TruncateAtEot = truncate, SharePrefix = share }, image, labels);
            string what = $"truncate={truncate} share={share}";
            bool f64 = dtype == ScalarType.Float64;
            TensorAssert.Close(plain.Logits, fast.Logits, f64 ? 1e-12 : 2e-5, 0, $"logits ({what})");
            foreach (var loss in plain.Losses.Keys)
            {
                TensorAssert.Close(plain.Losses[loss], fast.Losses[loss], f64 ? 1e-12 : 5e-6, 0, $"loss {loss} ({what})");
                foreach (var (param, grad) in plain.Grads[loss])
                {
                    double scale = grad.abs().max().to(ScalarType.Float64).item<double>();
                    Assert.True(scale > 0, $"{param}: zero gradient, nothing compared");
                    TensorAssert.Close(grad, fast.Grads[loss][param], (f64 ? 1e-6 : 5e-5) * scale, 0, $"grad {param} {loss} ({what})");
                }
            }
        }
    }

    [Fact]
    public void SpeedUpsComputeFewerTokens()
    {
        using var model = new ClipModel(Config);
        model.InitializeParameters(seed: 5);
        var tokens = SyntheticPrompts.Tokens(NameLengths, 4, Config.ContextLength, seed: 6);
        var names = SyntheticPrompts.Names(NameLengths.Length);
        using var plain = new CoCoOpLearner(model, tokens, names, new PromptOptions(new PromptLayout(NCtx: 4)).Plain(), 0);
        using var fast = new CoCoOpLearner(model, tokens, names, new PromptOptions(new PromptLayout(NCtx: 4)), 0);
        Assert.Equal(7 * 77, plain.Frame.EncodedTokens);
        // SOT + 4 context tokens once, then each class's name, "." and EOT.
        Assert.Equal(5 + NameLengths.Sum(n => n + 2), fast.Frame.EncodedTokens);
    }

    [Fact]
    public void RejectsWhatCoCoOpCannotDo()
    {
        using var model = new ClipModel(Config);
        var tokens = SyntheticPrompts.Tokens(NameLengths, 4, Config.ContextLength, seed: 6);
        var names = SyntheticPrompts.Names(NameLengths.Length);
        Assert.Contains("class-specific", Assert.Throws<InvalidInputException>(() =>
            new CoCoOpLearner(model, tokens, names, new PromptOptions(new PromptLayout(NCtx: 4, ClassSpecific: true)), 0)).Message);
        Assert.Contains("'front' does not apply", Assert.Throws<InvalidInputException>(() =>
            new CoCoOpLearner(model, tokens, names, new PromptOptions(new PromptLayout(NCtx: 4, Position: ClassTokenPosition.Front)), 0)).Message);
    }

    sealed record Result(Tensor Logits, Dictionary<string, Tensor> Losses, Dictionary<string, Dictionary<string, Tensor>> Grads);

    static Result Run(ClipModel model, PromptTokens tokens, string[] names, PromptOptions options, Tensor image, Tensor labels)
    {
        using var learner = new CoCoOpLearner(model, tokens, names, options, seed: 8);
        var parameters = learner.named_parameters().ToList();
        var losses = new Dictionary<string, Tensor>();
        var grads = new Dictionary<string, Dictionary<string, Tensor>>();
        Tensor logits = learner.Logits(image).detach();
        foreach (var name in new[] { "ce", "dspt" })
        {
            var loss = LossRegistry.Create(name).PerSample(learner.Logits(image), labels).mean();
            var g = torch.autograd.grad([loss], [.. parameters.Select(p => (Tensor)p.parameter)]);
            grads[name] = parameters.Select((p, i) => (p.name, g[i])).ToDictionary(x => x.name, x => x.Item2);
            losses[name] = loss.detach();
        }
        return new Result(logits, losses, grads);
    }
}
