using Dspt.World;

namespace Dspt.Tests.World;

public class WorldSamplerTests
{
    [Fact]
    public void SameSeedAndIndexGiveTheSameImageAndCaption()
    {
        var a = new WorldSampler(WorldSpec.Pretraining, 5);
        var b = new WorldSampler(WorldSpec.Pretraining, 5);
        // b samples in reverse order and in parallel: an item must not depend on what came before.
        var fromB = new (byte[], string)[200];
        Parallel.For(0, 200, i =>
        {
            var (scene, caption) = b.SampleCaptioned(199 - i);
            fromB[199 - i] = (WorldRenderer.Render(scene), caption);
        });
        for (int i = 0; i < 200; i++)
        {
            var (scene, caption) = a.SampleCaptioned(i);
            Assert.Equal(fromB[i].Item1, WorldRenderer.Render(scene));
            Assert.Equal(fromB[i].Item2, caption);
        }
    }

    [Fact]
    public void DifferentIndicesAndSeedsGiveDifferentImages()
    {
        var sampler = new WorldSampler(WorldSpec.Pretraining, 5);
        var images = Enumerable.Range(0, 500).Select(i => Convert.ToHexString(WorldRenderer.Render(sampler.Sample(i)))).ToList();
        Assert.Equal(500, images.Distinct().Count());
        var other = new WorldSampler(WorldSpec.Pretraining, 6);
        Assert.DoesNotContain(Convert.ToHexString(WorldRenderer.Render(other.Sample(0))), images);
    }

    [Fact]
    public void EveryAttributeValueOccursAtItsRate()
    {
        const int n = 6000;
        var spec = WorldSpec.Pretraining;
        var sampler = new WorldSampler(spec, 11);
        var scenes = Enumerable.Range(0, n).Select(i => sampler.Sample(i)).ToArray();

        void AllOccur<T>(Func<Scene, T> attribute) where T : struct, Enum =>
            Assert.Equal(Enum.GetValues<T>().ToHashSet(), scenes.Select(attribute).ToHashSet());
        AllOccur(s => s.Shape);
        AllOccur(s => s.Colour);
        AllOccur(s => s.Size);
        AllOccur(s => s.Position);
        AllOccur(s => s.Texture);
        AllOccur(s => s.Tone);
        AllOccur(s => s.Style);

        // Rates within 4.5 binomial standard errors (a false alarm about once in 150,000 runs per check).
        void Rate(Func<Scene, bool> which, double p)
        {
            double observed = scenes.Count(which) / (double)n;
            Assert.InRange(observed, p - 4.5 * Math.Sqrt(p * (1 - p) / n), p + 4.5 * Math.Sqrt(p * (1 - p) / n));
        }
        double weightSum = spec.CountWeights.Sum();
        for (int c = 1; c <= 3; c++)
            Rate(s => s.Count == c, spec.CountWeights[c - 1] / weightSum);
        Rate(s => s.Style == Style.Outline, spec.OutlineRate);
        Rate(s => s.Style == Style.Faint, spec.FaintRate);
        Rate(s => s.Style == Style.Noisy, spec.NoisyRate);
        Rate(s => s.Shape == Shape.Star, 1.0 / 20);
        Rate(s => s.Colour == ObjectColour.Green, 1.0 / 10);
        Rate(s => s.Texture == Texture.Dotted, 1.0 / 5);
    }

    [Fact]
    public void EachColourIsTypicalOfTwoShapes() =>
        Assert.All(Enum.GetValues<ObjectColour>(), c => Assert.Equal(2, Enum.GetValues<Shape>().Count(s => WorldPalette.Typical(s) == c)));

    /// <summary>
    /// Drawing the shape after the colour ties shapes to their typical colours at the spec's rate
    /// (P(typical colour | shape) = r + (1 - r) / 10) while every shape and every colour keeps its
    /// uniform share; at rate 0 (downstream) colour and shape are independent.
    /// </summary>
    [Theory]
    [InlineData(0.6)]
    [InlineData(0.0)]
    public void ShapesComeInTheirTypicalColoursAtTheSpecsRate(double rate)
    {
        const int n = 20000;
        var sampler = new WorldSampler(WorldSpec.Pretraining with { TypicalColourRate = rate }, 13);
        var scenes = Enumerable.Range(0, n).Select(i => sampler.Sample(i)).ToArray();
        // Within 4.5 binomial standard errors, as above.
        void Rate(int hits, int of, double p) =>
            Assert.InRange(hits / (double)of, p - 4.5 * Math.Sqrt(p * (1 - p) / of), p + 4.5 * Math.Sqrt(p * (1 - p) / of));
        Rate(scenes.Count(s => s.Colour == WorldPalette.Typical(s.Shape)), n, rate + (1 - rate) / 10);
        foreach (var shape in new[] { Shape.Star, Shape.Heart, Shape.X })
        {
            var ofShape = scenes.Where(s => s.Shape == shape).ToArray();
            Rate(ofShape.Length, n, 1.0 / 20);
            Rate(ofShape.Count(s => s.Colour == WorldPalette.Typical(shape)), ofShape.Length, rate + (1 - rate) / 10);
        }
        foreach (var colour in new[] { ObjectColour.Yellow, ObjectColour.Black })
            Rate(scenes.Count(s => s.Colour == colour), n, 1.0 / 10);
    }

    [Fact]
    public void DownstreamTasksDrawColoursIndependentlyOfShapes() =>
        Assert.Equal(0, WorldSpec.Downstream().TypicalColourRate);

    [Fact]
    public void PlacementsAreInsideDistinctAndSeparate()
    {
        var sampler = new WorldSampler(WorldSpec.Pretraining, 3);
        for (int i = 0; i < 3000; i++)
        {
            var scene = sampler.Sample(i);
            Assert.Equal(scene.Count, scene.Objects.Select(o => o.Slot).Distinct().Count());
            if (scene.Count > 1) Assert.Equal(ObjectSize.Small, scene.Size);
            foreach (var o in scene.Objects)
            {
                Assert.InRange(o.X - o.Radius, 0, 64);
                Assert.InRange(o.X + o.Radius, 0, 64);
                Assert.InRange(o.Y - o.Radius, 0, 64);
                Assert.InRange(o.Y + o.Radius, 0, 64);
                Assert.InRange(Math.Abs(o.RotationDegrees), 0, 15);
            }
            // Shape tips reach 1.28 radii (hourglass, triangle corners), so copies need 2.56 radii between centres.
            foreach (var o in scene.Objects)
                foreach (var q in scene.Objects.Where(q => q != o))
                    Assert.True(Math.Sqrt((o.X - q.X) * (o.X - q.X) + (o.Y - q.Y) * (o.Y - q.Y)) > 1.28 * (o.Radius + q.Radius));
            Assert.True(WorldPalette.Contrasts(scene.Colour, scene.Tone), $"{scene.Colour} on {scene.Tone}");
        }
    }

    /// <summary>Sampled scenes drawn and read back: as many blobs as copies, each where its slot says.</summary>
    [Fact]
    public void RenderedScenesShowTheirCountColourAndPosition()
    {
        var spec = WorldSpec.Pretraining with { Textures = [Texture.Plain], OutlineRate = 0, FaintRate = 0, NoisyRate = 0 };
        var sampler = new WorldSampler(spec, 8);
        for (int i = 0; i < 400; i++)
        {
            var scene = sampler.Sample(i);
            var cover = WorldPixels.Coverage(WorldRenderer.Render(scene), scene.Colour, scene.Tone);
            Assert.Equal(scene.Count, WorldPixels.Components(cover));
            if (scene.Count == 1)
            {
                // Where the copy is drawn: its pixels' centroid is near the placement centre
                // (a crescent's mass sits 0.4 radii off it, every other shape's within 0.21).
                var (x, y) = WorldPixels.Centroid(cover);
                var o = scene.Objects[0];
                Assert.True(Math.Sqrt((x - o.X) * (x - o.X) + (y - o.Y) * (y - o.Y)) < 0.45 * o.Radius,
                    $"scene {i}: {scene.Shape} placed at ({o.X:F1}, {o.Y:F1}) has its centroid at ({x:F1}, {y:F1})");
                // Which region the placement centre lies in is what the caption calls the position.
                bool left = o.X < 26, right = o.X > 38, top = o.Y < 26, bottom = o.Y > 38;
                var region = (left, right, top, bottom) switch
                {
                    (true, false, true, false) => Position.TopLeft,
                    (false, true, true, false) => Position.TopRight,
                    (true, false, false, true) => Position.BottomLeft,
                    (false, true, false, true) => Position.BottomRight,
                    (false, false, false, false) => Position.Centre,
                    _ => (Position?)null,
                };
                Assert.Equal(scene.Position, region);
            }
        }
    }

    [Fact]
    public void ANarrowedSpecIsHonoured()
    {
        var spec = WorldSpec.Pretraining with { Shapes = [Shape.Star], Colours = [ObjectColour.Red, ObjectColour.Blue], Tones = [Tone.Dark], CountWeights = [1] };
        var sampler = new WorldSampler(spec, 2);
        var scenes = Enumerable.Range(0, 300).Select(i => sampler.Sample(i)).ToArray();
        Assert.All(scenes, s => Assert.Equal(Shape.Star, s.Shape));
        Assert.Equal(new HashSet<ObjectColour> { ObjectColour.Red, ObjectColour.Blue }, scenes.Select(s => s.Colour).ToHashSet());
        Assert.All(scenes, s => Assert.Equal((1, Tone.Dark), (s.Count, s.Tone)));
    }

    [Theory]
    [InlineData("Shapes")]
    [InlineData("CountWeights")]
    [InlineData("OutlineRate")]
    [InlineData("OutlineRate + FaintRate + NoisyRate")]
    [InlineData("FaintContrast")]
    [InlineData("TypicalColourRate")]
    [InlineData("Sizes")]
    public void AnImpossibleSpecIsRejectedByName(string field)
    {
        var spec = field switch
        {
            "Shapes" => WorldSpec.Pretraining with { Shapes = [] },
            "CountWeights" => WorldSpec.Pretraining with { CountWeights = [0, 0] },
            "OutlineRate" => WorldSpec.Pretraining with { OutlineRate = -0.1 },
            "OutlineRate + FaintRate + NoisyRate" => WorldSpec.Pretraining with { OutlineRate = 0.5, FaintRate = 0.5, NoisyRate = 0.1 },
            "FaintContrast" => WorldSpec.Pretraining with { FaintContrast = 0 },
            "TypicalColourRate" => WorldSpec.Pretraining with { TypicalColourRate = 1.5 },
            _ => WorldSpec.Pretraining with { Sizes = [ObjectSize.Big] },
        };
        var e = Assert.Throws<InvalidInputException>(() => new WorldSampler(spec, 1));
        Assert.Contains(field + " must be", e.Message);
    }
}
