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

    /// <summary>
    /// Damaged entries (a flipped value byte, a truncated file, a foreign file; at the end an
    /// intact entry copied under another key's name) are never used: reported once, computed again, rewritten, and
    /// the result is exactly the fresh computation.
    /// </summary>
    [Fact]
    public void A_damaged_entry_is_reported_once_recomputed_and_rewritten()
    {
        using var dir = Repo.Temp();
        var keys = Enumerable.Range(0, 4).Select(i => Key($"img{i}")).ToList();
        using var truth = randn(4, 8);
        Tensor Encode(IReadOnlyList<int> missing) => truth.index_select(0, tensor(missing.Select(i => (long)i).ToArray()));
        using (new ImageFeatureCache(dir.Path).GetOrCompute(keys, Encode)) { }

        var cache0 = new ImageFeatureCache(dir.Path);
        var files = keys.Select(cache0.PathFor).ToList();
        var bytes = File.ReadAllBytes(files[0]);
        bytes[^3] ^= 0x10;                                           // inside the last float
        File.WriteAllBytes(files[0], bytes);
        File.WriteAllBytes(files[1], File.ReadAllBytes(files[1])[..^5]);  // truncated
        File.WriteAllText(files[2], "not safetensors");

        var warnings = new List<string>();
        var recomputed = new List<int>();
        var cache = new ImageFeatureCache(dir.Path) { Warning = warnings.Add };
        using (var got = cache.GetOrCompute(keys, m => { recomputed.AddRange(m); return Encode(m); }))
            Assert.Equal(truth.bytes.ToArray(), got.bytes.ToArray());
        Assert.Equal([0, 1, 2], recomputed);
        Assert.Equal(3, cache.Damaged);
        var warning = Assert.Single(warnings);
        Assert.Contains(files[0], warning);
        Assert.Contains("checksum", warning);

        // Rewritten: a new reader finds every entry whole.
        var reread = new ImageFeatureCache(dir.Path) { Warning = warnings.Add };
        using (var again = reread.GetOrCompute(keys, _ => throw new InvalidOperationException("should not encode")))
            Assert.Equal(truth.bytes.ToArray(), again.bytes.ToArray());
        Assert.Equal((4, 0), (reread.DiskHits, reread.Damaged));

        // An intact entry copied under another key's name is not that key's feature.
        var p9 = reread.PathFor(Key("img9"));
        Directory.CreateDirectory(Path.GetDirectoryName(p9)!);
        File.Copy(files[0], p9, overwrite: true);
        var foreign = new ImageFeatureCache(dir.Path);
        Assert.False(foreign.TryGet(Key("img9"), out _));
        Assert.Equal(1, foreign.Damaged);
    }

    /// <summary>Several writers of the same key (separate cache objects on threads, as separate processes would be) leave one valid entry.</summary>
    [Fact]
    public void Concurrent_writers_of_one_key_leave_one_valid_entry()
    {
        using var dir = Repo.Temp();
        var key = Key("shared");
        var value = Enumerable.Range(0, 512).Select(i => MathF.Sin(i)).ToArray();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var cache = new ImageFeatureCache(dir.Path);
            for (int round = 0; round < 20; round++)
            {
                cache.Put(key, value);
                Assert.True(new ImageFeatureCache(dir.Path).TryGet(key, out var read));
                Assert.Equal(value, read);
            }
        });
        var files = Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories);
        Assert.Equal(new ImageFeatureCache(dir.Path).PathFor(key), Assert.Single(files));
        var check = new ImageFeatureCache(dir.Path);
        Assert.True(check.TryGet(key, out var final));
        Assert.Equal(value, final);
        Assert.Equal(0, check.Damaged);
    }
}
