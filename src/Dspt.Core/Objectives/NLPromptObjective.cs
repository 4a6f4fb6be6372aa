using Dspt.Losses;
using Dspt.Training;
using static TorchSharp.torch;

namespace Dspt.Objectives;

/// <summary>
/// NLPrompt's PromptOT (Pan et al., CVPR 2025; method.md section 4). Before every epoch the
/// current prompt scores every training sample, P0 = softmax(logits) (CLIP's logits are
/// 100 * cos for the released weights); the cost -log_softmax(P0) over classes goes into entropic
/// OT with uniform marginals (the classes are balanced in a few-shot split); each sample's
/// pseudo-label is the argmax of its row of the plan. Samples whose pseudo-label is the given
/// label are clean: the epoch trains all clean batches with CE, then all other batches with MAE
/// (on their given labels, which MAE tolerates).
/// </summary>
public sealed class NLPromptObjective(double regularisation = NLPromptObjective.DefaultRegularisation) : ITrainingObjective
{
    public const double DefaultRegularisation = 0.01;

    readonly IPromptLoss clean = new CrossEntropyLoss();
    readonly IPromptLoss noisy = new MaeLoss();

    public string Name => regularisation == DefaultRegularisation ? "nlprompt" : FormattableString.Invariant($"nlprompt:{regularisation}");

    public IReadOnlyList<TrainingBatch> PlanEpoch(EpochContext context)
    {
        bool[] isClean;
        using (var logits = context.ScoreTrainingSet())
            isClean = Select(logits, context.Labels, regularisation);
        var cleanOrder = Shuffled(Enumerable.Range(0, isClean.Length).Where(i => isClean[i]).ToArray(), context.Random("clean"));
        var noisyOrder = Shuffled(Enumerable.Range(0, isClean.Length).Where(i => !isClean[i]).ToArray(), context.Random("noisy"));
        return
        [
            .. Batching.Split(cleanOrder, context.BatchSize).Select(b => new TrainingBatch(b, clean)),
            .. Batching.Split(noisyOrder, context.BatchSize).Select(b => new TrainingBatch(b, noisy)),
        ];
    }

    /// <summary>Which samples PromptOT keeps as clean: its OT pseudo-label equals the given label.</summary>
    public static bool[] Select(Tensor logits, IReadOnlyList<long> labels, double regularisation = DefaultRegularisation)
    {
        using var scope = NewDisposeScope();
        var p0 = softmax(logits.to(ScalarType.Float64), 1);
        using var ot = Sinkhorn.Solve(nn.functional.log_softmax(p0, 1).neg(), regularisation);
        var pseudo = ot.Plan.argmax(1).cpu().data<long>().ToArray();
        return [.. pseudo.Select((label, i) => label == labels[i])];
    }

    static int[] Shuffled(int[] items, Random random)
    {
        var order = SeedStreams.Permutation(items.Length, random);
        return [.. order.Select(i => items[i])];
    }
}
