using Dspt.World;
using SkiaSharp;

namespace Dspt.Tests.World;

public class WorldCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    [Fact]
    public void PreviewWritesAContactSheetAndItsCaptions()
    {
        using var dir = Repo.Temp();
        var (code, output, error) = Run("world", "preview", "--out", dir.Path, "--world-seed", "3", "--count", "10");
        Assert.True(code == 0, error);
        Assert.Contains("10 images", output);
        using var png = SKBitmap.Decode(dir["world-preview.png"]);
        // 8 columns of 3x-enlarged 64 px images with 8 px gaps, 2 rows.
        Assert.Equal(8 * (192 + 8) + 8, png.Width);
        Assert.True(png.Height > 2 * 192);
        // The captions are the pretraining world's own for seed 3, in order.
        var sampler = new WorldSampler(WorldSpec.Pretraining, 3);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i}\t{sampler.SampleCaptioned(i).Caption}"), File.ReadAllLines(dir["world-preview.txt"]));
        // The tiles hold images, not a blank canvas.
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < png.Height; y += 7)
            for (int x = 0; x < png.Width; x += 7) colours.Add(png.GetPixel(x, y));
        Assert.True(colours.Count > 50, $"{colours.Count} distinct colours on the sheet");
    }

    [Fact]
    public void PreviewOfATaskLabelsItsItems()
    {
        using var dir = Repo.Temp();
        var (code, _, error) = Run("world", "preview", "--out", dir.Path, "--task", "shape", "--count", "3");
        Assert.True(code == 0, error);
        var lines = File.ReadAllLines(dir["world-preview.txt"]);
        Assert.Equal(["0\t000000: circle", "1\t000001: square", "2\t000002: triangle"], lines.Select(l => l[..l.IndexOf(" (")]));
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--task", "texture")]
    [InlineData("--part", "dev", "--task", "shape")]
    [InlineData("--shifted", "1.5", "--task", "shape")]
    public void BadOptionsExitWithCode2(params string[] extra)
    {
        using var dir = Repo.Temp();
        var (code, _, error) = Run(["world", "preview", "--out", dir.Path, .. extra]);
        Assert.Equal(2, code);
        Assert.StartsWith("error:", error);
    }
}
