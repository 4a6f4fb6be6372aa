namespace Dspt.Training;

/// <summary>Splits a sample order into training batches the way Dassl's train loader does.</summary>
public static class Batching
{
    /// <summary>
    /// Consecutive batches of <paramref name="batchSize"/>. The last incomplete batch is dropped,
    /// except when there are fewer samples than one batch: Dassl builds its train loader with
    /// <c>drop_last = len(data) &gt;= batch_size</c>, so a tiny training set still yields one batch.
    /// </summary>
    public static List<int[]> Split(IReadOnlyList<int> order, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1");
        if (order.Count == 0) return [];
        if (order.Count < batchSize) return [order.ToArray()];
        return Enumerable.Range(0, order.Count / batchSize)
            .Select(b => order.Skip(b * batchSize).Take(batchSize).ToArray())
            .ToList();
    }

    public static int Count(int samples, int batchSize) =>
        samples == 0 ? 0 : samples < batchSize ? 1 : samples / batchSize;

    /// <summary>Consecutive chunks of at most <paramref name="size"/> (inference: nothing dropped).</summary>
    public static IEnumerable<int[]> Chunks(IReadOnlyList<int> items, int size)
    {
        for (int i = 0; i < items.Count; i += size)
            yield return items.Skip(i).Take(size).ToArray();
    }
}
