using Dspt.World;

namespace Dspt.Tests.World;

public class WorldRendererTests
{
    static byte[] Render(Scene scene) => WorldRenderer.Render(scene);

    /// <summary>
    /// Rendered area (sum of antialiased coverage) against each shape's area computed by hand from
    /// its geometry in ShapePaths, in units of radius^2. At radius 15 the edge pixels' coverage
    /// errors mostly cancel; 3 % allows Skia's coverage quantisation along a ~100-pixel perimeter.
    /// </summary>
    [Theory]
    [InlineData(Shape.Circle, Math.PI)]
    [InlineData(Shape.Square, 1.7 * 1.7)]
    [InlineData(Shape.Triangle, 2 * 1.73 / 2)]
    [InlineData(Shape.Star, 10 * 0.5 * 1 * 0.42 * 0.587785252292)] // ten triangles (centre, tip, notch), angle 36 degrees
    [InlineData(Shape.Cross, 2 * 2 * 0.6 - 0.6 * 0.6)]
    [InlineData(Shape.Ring, Math.PI * (1 - 0.58 * 0.58))]
    [InlineData(Shape.Diamond, 2 * 0.65)]
    [InlineData(Shape.Hexagon, 1.5 * 1.7320508075688772)]
    [InlineData(Shape.Pentagon, 2.5 * 0.951056516295)] // (n/2) sin(2 pi / n)
    [InlineData(Shape.Ellipse, Math.PI * 0.55)]
    [InlineData(Shape.Bar, 2 * 0.52)]
    [InlineData(Shape.Arrow, 1.15 * 0.4 + 0.85 * 1.24 / 2)]
    [InlineData(Shape.Semicircle, Math.PI / 2)]
    [InlineData(Shape.Trapezoid, (1 + 2) / 2.0 * 1.2)]
    [InlineData(Shape.Frame, 1.8 * 1.8 - 1.12 * 1.12)]
    [InlineData(Shape.Octagon, 2 * 1.4142135623730951)]
    [InlineData(Shape.Hourglass, 2 * (1.6 + 0.28) / 2)]
    [InlineData(Shape.X, 2 * 2.4 * 0.52 - 0.52 * 0.52)]
    public void ShapeAreaMatchesItsGeometry(Shape shape, double areaOverRadiusSquared)
    {
        const float radius = 15;
        var scene = WorldPixels.Plain(shape, ObjectColour.White, Tone.Dark, new Placement(Position.Centre, 32, 32, radius, 0));
        double area = WorldPixels.Coverage(Render(scene), ObjectColour.White, Tone.Dark).Sum();
        Assert.InRange(area / (radius * radius), 0.97 * areaOverRadiusSquared, 1.03 * areaOverRadiusSquared);
    }

    /// <summary>
    /// No two shapes may render (nearly) alike. The closest pair by construction is octagon inside
    /// circle, whose exact overlap is area ratio 2 sqrt 2 / pi = 0.900; 0.93 leaves room for
    /// antialiasing at the small radius while catching a shape that degenerated into another.
    /// </summary>
    [Theory]
    [InlineData(15f)]
    [InlineData(9f)]
    public void ShapesAreDistinct(float radius)
    {
        var shapes = Enum.GetValues<Shape>();
        var covers = shapes.Select(s => WorldPixels.Coverage(
            Render(WorldPixels.Plain(s, ObjectColour.White, Tone.Dark, new Placement(Position.Centre, 32, 32, radius, 0))),
            ObjectColour.White, Tone.Dark)).ToArray();
        for (int i = 0; i < shapes.Length; i++)
            for (int j = i + 1; j < shapes.Length; j++)
            {
                double inter = 0, union = 0;
                for (int p = 0; p < covers[i].Length; p++)
                {
                    double a = Math.Clamp(covers[i][p], 0, 1), b = Math.Clamp(covers[j][p], 0, 1);
                    inter += Math.Min(a, b);
                    union += Math.Max(a, b);
                }
                Assert.True(inter / union < 0.93, $"{shapes[i]} and {shapes[j]} overlap {inter / union:F3} at radius {radius}");
            }
    }

    [Fact]
    public void EachColourIsDrawnWithItsPaletteValue()
    {
        foreach (var colour in Enum.GetValues<ObjectColour>())
        {
            var tone = Enum.GetValues<Tone>().First(t => WorldPalette.Contrasts(colour, t));
            var rgb = Render(WorldPixels.Plain(Shape.Square, colour, tone, new Placement(Position.Centre, 32, 32, 12, 0)));
            var c = WorldPalette.Rgb(colour);
            // The square's interior, (32 +- 8)^2, is fully covered: exactly the palette value.
            for (int y = 25; y < 39; y++)
                for (int x = 25; x < 39; x++)
                {
                    int o = 3 * (y * 64 + x);
                    Assert.Equal((c.Red, c.Green, c.Blue), (rgb[o], rgb[o + 1], rgb[o + 2]));
                }
        }
    }

    [Fact]
    public void PlacementDecidesWhereAndHowBigTheObjectIs()
    {
        var small = new Placement(Position.TopRight, 48, 14, 9, 0);
        var big = new Placement(Position.Centre, 32, 32, 15, 0);
        var smallCover = WorldPixels.Coverage(Render(WorldPixels.Plain(Shape.Circle, ObjectColour.Red, Tone.Light, small)), ObjectColour.Red, Tone.Light);
        var bigCover = WorldPixels.Coverage(Render(WorldPixels.Plain(Shape.Circle, ObjectColour.Red, Tone.Light, big)), ObjectColour.Red, Tone.Light);
        var (sx, sy) = WorldPixels.Centroid(smallCover);
        // A symmetric shape's centroid is its centre; antialiasing keeps it within a tenth of a pixel.
        Assert.InRange(sx, 47.9, 48.1);
        Assert.InRange(sy, 13.9, 14.1);
        Assert.InRange(bigCover.Sum() / smallCover.Sum(), 0.97 * 225 / 81.0, 1.03 * 225 / 81.0);
    }

    [Fact]
    public void EveryCopyIsDrawnSeparately()
    {
        for (int count = 1; count <= 3; count++)
        {
            var slots = new[] { new Placement(Position.TopLeft, 13, 13, 9, 10), new Placement(Position.BottomRight, 51, 51, 9, -10), new Placement(Position.Centre, 32, 32, 9, 5) };
            var cover = WorldPixels.Coverage(Render(WorldPixels.Plain(Shape.Heart, ObjectColour.Blue, Tone.Light, slots[..count])), ObjectColour.Blue, Tone.Light);
            Assert.Equal(count, WorldPixels.Components(cover));
        }
    }

    [Fact]
    public void StylesChangeTheRendering()
    {
        var placement = new Placement(Position.Centre, 32, 32, 15, 0);
        var filledScene = WorldPixels.Plain(Shape.Hexagon, ObjectColour.Yellow, Tone.Dark, placement);
        double filled = WorldPixels.Coverage(Render(filledScene), ObjectColour.Yellow, Tone.Dark).Sum();

        // An outline is a 1.6 px stroke along the perimeter (6 sides of length 15): about 144 px^2.
        double outline = WorldPixels.Coverage(Render(filledScene with { Style = Style.Outline }), ObjectColour.Yellow, Tone.Dark).Sum();
        Assert.InRange(outline, 0.85 * 1.6 * 90, 1.15 * 1.6 * 90);

        // Faint: every pixel is at most Opacity of the way from the background to the colour.
        var faint = WorldPixels.Coverage(Render(filledScene with { Style = Style.Faint, Opacity = 0.35f }), ObjectColour.Yellow, Tone.Dark);
        Assert.InRange(faint.Max(), 0.33, 0.37);
        Assert.InRange(faint.Sum() / filled, 0.34, 0.36);
    }

    /// <summary>The noise's standard deviation and mean over a plain grey image (12,288 draws; the std of the sample std is ~0.6 %).</summary>
    [Fact]
    public void NoisyStyleAddsGaussianNoiseOfTheGivenSigma()
    {
        var scene = WorldPixels.Plain(Shape.Circle, ObjectColour.Red, Tone.Grey) with { Style = Style.Noisy, NoiseSigma = 24, NoiseSeed = 99 };
        var rgb = Render(scene);
        var tone = WorldPalette.Rgb(Tone.Grey);
        var deviations = rgb.Select((v, i) => v - (double)(i % 3 == 0 ? tone.Red : i % 3 == 1 ? tone.Green : tone.Blue)).ToArray();
        double mean = deviations.Average();
        double std = Math.Sqrt(deviations.Sum(d => (d - mean) * (d - mean)) / deviations.Length);
        Assert.InRange(mean, -1, 1);
        // Rounding to integer levels adds 1/12 to the variance: negligible next to 24^2.
        Assert.InRange(std, 24 * 0.97, 24 * 1.03);
        // Irwin-Hall with four terms is bounded at sqrt(12) sigma, and should reach beyond 2 sigma.
        Assert.InRange(deviations.Max(Math.Abs), 2 * 24, Math.Sqrt(12) * 24 + 1);
    }

    [Fact]
    public void TexturesDifferAsDescribed()
    {
        var plain = WorldPixels.Plain(Shape.Circle, ObjectColour.Red, Tone.Light);
        int Levels(Texture t) => Render(plain with { Texture = t, TexturePeriod = 7 }).Where((_, i) => i % 3 == 0).Distinct().Count();
        Assert.Equal(1, Levels(Texture.Plain));
        // Two tones plus the antialiased levels between them; grain has up to 49.
        foreach (var t in new[] { Texture.Striped, Texture.Checkered, Texture.Dotted })
            Assert.InRange(Levels(t), 2, 31);
        Assert.InRange(Levels(Texture.Grainy), 40, 49);

        // Stripes at 0 degrees vary down the image and not across it; at 90 degrees the reverse.
        var rows = Render(plain with { Texture = Texture.Striped, TexturePeriod = 7 });
        var cols = Render(plain with { Texture = Texture.Striped, TexturePeriod = 7, TextureAngleDegrees = 90 });
        Assert.True(Enumerable.Range(0, 64).All(x => rows[3 * (10 * 64 + x)] == rows[3 * (10 * 64)]));
        Assert.True(Enumerable.Range(0, 64).All(y => cols[3 * (y * 64 + 10)] == cols[3 * 10]));
        Assert.True(Enumerable.Range(0, 64).Select(y => rows[3 * (y * 64)]).Distinct().Count() > 1);
    }

    [Fact]
    public void BufferOfTheWrongSizeIsRejected() =>
        Assert.Throws<ArgumentException>(() => WorldRenderer.Render(WorldPixels.Plain(Shape.Circle, ObjectColour.Red, Tone.Light), new byte[64 * 64 * 4]));
}
