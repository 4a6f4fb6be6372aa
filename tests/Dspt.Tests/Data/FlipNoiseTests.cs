using Dspt.Data;

namespace Dspt.Tests.Data;

/// <summary>The PTNL / JoAPR protocol: exactly M wrong images in every class.</summary>
public class FlipNoiseTests
{
    [Theory]
    [InlineData("symflip:4", 16)]
    [InlineData("symflip:12", 16)]
    [InlineData("pairflip:2", 16)]
    [InlineData("pairflip:6", 8)]
    [InlineData("symflip:0", 4)]
    public void Every_class_has_exactly_M_wrong_images(string text, int shots)
    {
        var spec = NoiseSpec.Parse(text);
        var d = DataFixtures.Synthetic(numClasses: 6, trainPerClass: 40);
        var s = FewShot.Draw(d, shots, spec, seed: 1);
        int m = spec.PerClass;
        var firstHalf = d.Train.GroupBy(i => i.Label).ToDictionary(g => g.Key, g => g.Take(20).Select(i => i.Path).ToHashSet());
        for (int c = 0; c < 6; c++)
        {
            var mine = s.Train.Where(i => i.Label == c).ToList();
            Assert.Equal(shots, mine.Count);
            Assert.Equal(m, mine.Count(i => i.IsCorrupted));
            Assert.All(mine.Where(i => !i.IsCorrupted), i => Assert.Contains(i.Path, firstHalf[c]));     // clean pool
            Assert.All(mine.Where(i => i.IsCorrupted), i => Assert.DoesNotContain(i.Path, firstHalf[i.CleanLabel])); // wrong pool
            Assert.All(mine, i => Assert.Equal($"c{i.CleanLabel}", i.Path.Split('/')[1]));                 // clean label = real class
            if (spec.Type == NoiseSpec.PairFlip)
                Assert.All(mine.Where(i => i.IsCorrupted), i => Assert.Equal((c + 1) % 6, i.CleanLabel));
            Assert.Equal(m, s.Report.CorruptedByNoisyClass[c]);
        }
        Assert.Equal(s.Train.Count, s.Train.Select(i => i.Path).Distinct().Count());
        Assert.Equal((double)m / shots, s.Report.Rate);
        Assert.Equal(s.Train, FewShot.Draw(d, shots, spec, 1).Train);
        Assert.NotEqual(s.Train, FewShot.Draw(d, shots, spec, 2).Train);
    }

    [Fact]
    public void M_must_be_below_K_and_pools_large_enough()
    {
        var d = DataFixtures.Synthetic(3, 10);
        Assert.Contains("needs 0 <= M < K", Assert.Throws<InvalidInputException>(() => FewShot.Draw(d, 4, NoiseSpec.Parse("symflip:4"), 1)).Message);
        Assert.Contains("needs 0 <= M < K", Assert.Throws<InvalidInputException>(() => FewShot.Draw(d, 0, NoiseSpec.Parse("pairflip:1"), 1)).Message);
        // Each wrong pool has 5 images: pairflip:6 cannot be met.
        Assert.Contains("wrong-image pool", Assert.Throws<InvalidInputException>(() => FewShot.Draw(d, 8, NoiseSpec.Parse("pairflip:6"), 1)).Message);
        // symflip: 3 classes x 4 wrong images need 12 of the 15 in the pools; 3 x 6 cannot be met.
        Assert.Equal(12, FewShot.Draw(d, 5, NoiseSpec.Parse("symflip:4"), 1).Report.Corrupted);
        Assert.Contains("remain in their wrong-image pools", Assert.Throws<InvalidInputException>(() => FewShot.Draw(d, 7, NoiseSpec.Parse("symflip:6"), 1)).Message);
    }
}
