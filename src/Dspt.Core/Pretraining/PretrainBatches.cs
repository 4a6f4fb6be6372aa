using Dspt.World;
using static TorchSharp.torch;

namespace Dspt.Pretraining;

/// <summary>One contrastive pretraining batch: images [B, 3, 64, 64] (CLIP-normalised) and their captions.</summary>
public sealed record PretrainBatch(Tensor Images, IReadOnlyList<string> Captions) : IDisposable
{
    public void Dispose() => Images.Dispose();
}

/// <summary>
/// Image-caption batches for contrastive pretraining, a pure function of (spec, seed, step).
/// Each batch draws only <see cref="ColoursPerBatch"/> colours and <see cref="TonesPerBatch"/>
/// background tones (the feasibility study's trick): within a batch colour and background then
/// separate an image from at most a few groups, so the InfoNCE loss can only fall by telling
/// shapes, counts and sizes apart. Across steps every colour and tone still appears.
/// </summary>
public sealed class PretrainBatches
{
    static readonly ulong BatchStream = SeedStreams.StreamId("pretrain/batch");
    static readonly ulong SceneSeedStream = SeedStreams.StreamId("pretrain/scenes");

    public WorldSpec Spec { get; }
    public long Seed { get; }
    public int BatchSize { get; }
    public int ColoursPerBatch { get; }
    public int TonesPerBatch { get; }

    readonly long sceneSeed;

    public PretrainBatches(WorldSpec spec, long seed, int batchSize = 128, int coloursPerBatch = 2, int tonesPerBatch = 2)
    {
        Spec = spec.Validated("pretraining spec");
        if (batchSize < 1) throw new InvalidInputException($"pretraining: batch size must be at least 1, got {batchSize}");
        if (coloursPerBatch < 1 || coloursPerBatch > spec.Colours.Count)
            throw new InvalidInputException($"pretraining: colours per batch must be in [1, {spec.Colours.Count}], got {coloursPerBatch}");
        if (tonesPerBatch < 1 || tonesPerBatch > spec.Tones.Count)
            throw new InvalidInputException($"pretraining: tones per batch must be in [1, {spec.Tones.Count}], got {tonesPerBatch}");
        Seed = seed;
        BatchSize = batchSize;
        ColoursPerBatch = coloursPerBatch;
        TonesPerBatch = tonesPerBatch;
        sceneSeed = (long)SeedStreams.ItemKey(seed, SceneSeedStream, 0);
    }

    /// <summary>The spec a step's batch is drawn from: the colours and tones narrowed for that step.</summary>
    public WorldSpec SpecFor(long step)
    {
        var rng = SeedStreams.Item(Seed, BatchStream, step);
        var colours = Spec.Colours.ToArray();
        var tones = Spec.Tones.ToArray();
        rng.Shuffle(colours);
        rng.Shuffle(tones);
        return Spec with { Colours = colours[..ColoursPerBatch], Tones = tones[..TonesPerBatch] };
    }

    /// <summary>The scenes and captions of a step; scene i is scene step * BatchSize + i of the step's spec.</summary>
    public (Scene Scene, string Caption)[] Items(long step)
    {
        var sampler = new WorldSampler(SpecFor(step), sceneSeed);
        return Enumerable.Range(0, BatchSize).Select(i => sampler.SampleCaptioned(step * BatchSize + i)).ToArray();
    }

    /// <summary>The batch of a step, rendered on <paramref name="threads"/> threads (the result does not depend on it).</summary>
    public PretrainBatch Batch(long step, int threads = 1)
    {
        var items = Items(step);
        var images = new byte[items.Length][];
        Parallel.For(0, items.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
            i => images[i] = WorldRenderer.Render(items[i].Scene));
        return new PretrainBatch(WorldImages.ToClipTensor(images), items.Select(it => it.Caption).ToArray());
    }

    /// <summary>Batches for steps first, first + 1, ...; dispose each after use.</summary>
    public IEnumerable<PretrainBatch> Steps(long first, long count, int threads = 1)
    {
        for (long s = first; s < first + count; s++)
            yield return Batch(s, threads);
    }
}
