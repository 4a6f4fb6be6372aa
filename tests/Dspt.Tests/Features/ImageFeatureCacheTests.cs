using Dspt.Features;
using static TorchSharp.torch;

namespace Dspt.Tests.Features;

public class ImageFeatureCacheTests
{
    static FeatureKey Key(string content, int view = 0, long seed = 0) => new("model-a", content, view, seed);

    [Fact]
    public void KeysSeparateModelContentViewAndSeedButView0IgnoresTheSeed()
    {
        var digests = new[]
        {
            Key("x").Digest, new FeatureKey("model-b", "x", 0, 0).Digest, Key("y").Digest,
            Key("x", 1, 1).Digest, Key("x", 2, 1).Digest, Key("x", 1, 2).Digest,
        };
        Assert.Equal(digests.Length, digests.Distinct().Count());
        Assert.Equal(Key("x", 0, 0).Digest, Key("x", 0, 7).Digest);
        Assert.Equal(64, Key("x").Digest.Length);
    }

    [Fact]
    public void EncodesOnlyWhatIsMissingAndReadsBackTheSameBitsFromDisk()
    {
        using var dir = Repo.Temp();
        var keys = Enumerable.Range(0, 5).Select(i => Key($"img{i}", view: i % 2, seed: 3)).ToList();
        using var truth = randn(5, 8);
        var requested = new List<IReadOnlyList<int>>();
        Tensor Encode(IReadOnlyList<int> missing)
        {
            requested.Add(missing);
            return truth.index_select(0, tensor(missing.Select(i => (long)i).ToArray()));
        }

        var cache = new ImageFeatureCache(dir.Path);
        using (var first = cache.GetOrCompute(keys.Take(3).ToList(), Encode))
            Assert.Equal(truth[..3].bytes.ToArray(), first.bytes.ToArray());
        using (var second = cache.GetOrCompute(keys, Encode))
            Assert.Equal(truth.bytes.ToArray(), second.bytes.ToArray());
        Assert.Equal([[0, 1, 2], [3, 4]], requested.Select(r => r.ToArray()));
        Assert.Equal((3, 5), (cache.MemoryHits, cache.Misses));

        // A new process (a new cache object) finds them on disk, bit for bit.
        var reopened = new ImageFeatureCache(dir.Path);
        using (var third = reopened.GetOrCompute(keys, _ => throw new InvalidOperationException("should not encode")))
            Assert.Equal(truth.bytes.ToArray(), third.bytes.ToArray());
        Assert.Equal(5, reopened.DiskHits);
        Assert.True(File.Exists(reopened.PathFor(keys[0])));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void MemoryOnlyCacheWritesNothing()
    {
        var cache = new ImageFeatureCache();
        using var _ = cache.GetOrCompute([Key("a")], m => ones(m.Count, 4));
        Assert.True(cache.TryGet(Key("a"), out var f));
        Assert.Equal([1f, 1, 1, 1], f);
        Assert.Null(cache.Directory);
    }

    [Fact]
    public void AForeignFileIsReportedByPath()
    {
        using var dir = Repo.Temp();
        var cache = new ImageFeatureCache(dir.Path);
        var path = cache.PathFor(Key("a"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "not safetensors");
        var e = Assert.Throws<InvalidInputException>(() => cache.TryGet(Key("a"), out _));
        Assert.Contains(path, e.Message);
    }
}
