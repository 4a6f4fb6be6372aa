using Dspt.Clip;
using Dspt.Losses;
using Dspt.Prompting;
using Dspt.Tests.Clip;
using TorchSharp;
using static TorchSharp.torch;

namespace Dspt.Tests.Prompting;

/// <summary>
/// Truncation at the last EOT and the shared prefix against CoOp's plain computation on a
/// deeper random text tower (4 layers, width 64, 2 heads) with 7 or 40 classes of different
/// name lengths (40 gives several attention groups in every packed layout): logits, losses
/// and context gradients. A wrong mask, a token read at the wrong place or a missing gradient
/// path shows up as differences of 1e-2 or more.
/// Float64 (the model converted): logits and losses come out bitwise equal (asserted to
/// 1e-12). Context gradients are equal with truncation; with the shared prefix they differ by
/// up to 1.4e-7 of their largest entry, because CLIP's LayerNorm computes in float32 whatever
/// the input dtype (backward included) and the K classes' prefix gradients are summed before
/// instead of after the prefix's LayerNorm backward: tolerance 1e-6 of the largest entry.
/// Float32: only the order of sums differs; measured at most 2.4e-6 for logits (magnitude
/// ~6), 4.8e-7 for losses, 7.2e-6 for grad_ctx (largest entries 4.8-8.7); tolerances 2e-5,
/// 5e-6 and 5e-5, about 7-10x those.
/// </summary>
public class SpeedUpExactnessTests
{
    static readonly ClipConfig Config = new(EmbedDim: 32, ImageResolution: 32, VisionLayers: [1], VisionWidth: 64,
        VisionPatchSize: 16, ContextLength: 77, VocabSize: 49408, TransformerWidth: 64, TransformerHeads: 2, TransformerLayers: 4);

    static readonly int[] NameLengths = [1, 5, 2, 9, 3, 1, 4];

    public static TheoryData<ClassTokenPosition, bool, int, int, ScalarType> Setups => new()
    {
        { ClassTokenPosition.End, false, 16, 7, ScalarType.Float64 },
        { ClassTokenPosition.End, false, 16, 7, ScalarType.Float32 },
        { ClassTokenPosition.End, false, 3, 7, ScalarType.Float32 },
        // Enough classes for several attention groups in every packed layout.
        { ClassTokenPosition.End, false, 16, 40, ScalarType.Float64 },
        { ClassTokenPosition.Middle, false, 16, 7, ScalarType.Float64 },
        { ClassTokenPosition.Front, false, 16, 7, ScalarType.Float64 },
        { ClassTokenPosition.End, true, 4, 7, ScalarType.Float64 },
        { ClassTokenPosition.Middle, true, 5, 7, ScalarType.Float32 },
    };

    [Theory]
    [MemberData(nameof(Setups))]
    [Trait("Category", "Slow")]
    public void SpeedUpsGiveThePlainLogitsLossesAndGradients(ClassTokenPosition position, bool classSpecific, int nCtx, int classes, ScalarType dtype)
    {
        using var model = RandomModel();
        model.to(dtype);
        var nameLengths = Enumerable.Range(0, classes).Select(k => NameLengths[k % NameLengths.Length] + k / NameLengths.Length % 3).ToArray();
        var tokens = SyntheticPrompts.Tokens(nameLengths, nCtx, Config.ContextLength, seed: 6);
        var names = SyntheticPrompts.Names(classes);
        var gen = new Generator(7);
        var image = randn([6, Config.EmbedDim], generator: gen).to(dtype);
        var labels = tensor(new long[] { 0, 3, 3, 6, 1, 5 });
        var options = new PromptOptions(new PromptLayout(NCtx: nCtx, ClassSpecific: classSpecific, Position: position));

        var plain = Run(model, tokens, names, options.Plain(), image, labels);
        foreach (var (truncate, share) in new[] { (true, false), (false, true), (true, true) })
        {
            var variant = options with { TruncateAtEot = truncate, SharePrefix = share };
            var fast = Run(model, tokens, names, variant, image, labels);
            string what = $"truncate={truncate} share={share}";
            if (dtype == ScalarType.Float64)
            {
                TensorAssert.Close(plain.Logits, fast.Logits, 1e-12, 0, $"logits ({what})");
                foreach (var loss in plain.Losses.Keys)
                {
                    TensorAssert.Close(plain.Losses[loss], fast.Losses[loss], 1e-12, 0, $"loss {loss} ({what})");
                    double scale = plain.Grads[loss].abs().max().item<double>();
                    TensorAssert.Close(plain.Grads[loss], fast.Grads[loss], 1e-6 * scale, 0, $"grad_ctx {loss} ({what})");
                }
            }
            else
            {
                TensorAssert.Close(plain.Logits, fast.Logits, 2e-5, 0, $"logits ({what})");
                foreach (var loss in plain.Losses.Keys)
                {
                    TensorAssert.Close(plain.Losses[loss], fast.Losses[loss], 5e-6, 0, $"loss {loss} ({what})");
                    TensorAssert.Close(plain.Grads[loss], fast.Grads[loss], 5e-5, 0, $"grad_ctx {loss} ({what})");
                }
            }
        }
    }

    [Fact]
    public void TruncationRunsOnlyToTheLastEotAndSharingNeedsAUnifiedContextAtTheEnd()
    {
        using var model = RandomModel();
        var tokens = SyntheticPrompts.Tokens(NameLengths, 16, Config.ContextLength, seed: 6);
        var names = SyntheticPrompts.Names(NameLengths.Length);
        // Longest prompt: SOT + 16 + 9 name tokens + "." + EOT -> EOT at 27, so 28 tokens.
        Assert.Equal(28, new PromptLearner(model, tokens, names, new PromptOptions(), 0).EncodedLength);
        Assert.Equal(77, new PromptLearner(model, tokens, names, new PromptOptions().Plain(), 0).EncodedLength);
        Assert.True(new PromptLearner(model, tokens, names, new PromptOptions(), 0).UsesSharedPrefix);
        Assert.False(new PromptLearner(model, tokens, names, new PromptOptions(new PromptLayout(ClassSpecific: true)), 0).UsesSharedPrefix);
        Assert.False(new PromptLearner(model, tokens, names, new PromptOptions(new PromptLayout(Position: ClassTokenPosition.Front)), 0).UsesSharedPrefix);
    }

    static ClipModel RandomModel()
    {
        var model = new ClipModel(Config);
        model.InitializeParameters(seed: 5);
        return model;
    }

    sealed record Result(Tensor Logits, Dictionary<string, Tensor> Losses, Dictionary<string, Tensor> Grads);

    static Result Run(ClipModel model, PromptTokens tokens, string[] names, PromptOptions options, Tensor image, Tensor labels)
    {
        var learner = new PromptLearner(model, tokens, names, options, seed: 8);
        var losses = new Dictionary<string, Tensor>();
        var grads = new Dictionary<string, Tensor>();
        Tensor logits = learner.Logits(image).detach();
        foreach (var name in new[] { "ce", "dspt" })
        {
            var loss = LossRegistry.Create(name).PerSample(learner.Logits(image), labels).mean();
            grads[name] = torch.autograd.grad([loss], [learner.Context])[0];
            losses[name] = loss.detach();
        }
        return new Result(logits, losses, grads);
    }
}
