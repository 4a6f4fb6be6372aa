using SkiaSharp;

namespace Dspt.Tests.World;

public class WorldCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    [Fact]
    public void PreviewWritesAContactSheetAndItsCaptions()
    {
        using var dir = Repo.Temp();
        var (code, output, error) = Run("world", "preview", "--out", dir.Path, "--seed", "3", "--count", "10");
        Assert.True(code == 0, error);
        Assert.Contains("10 images", output);
        using var png = SKBitmap.Decode(dir["world-preview.png"]);
        // 8 columns of 3x-enlarged 64 px images with 8 px gaps, 2 rows.
        Assert.Equal(8 * (192 + 8) + 8, png.Width);
        Assert.True(png.Height > 2 * 192);
        var lines = File.ReadAllLines(dir["world-preview.txt"]);
        Assert.Equal(10, lines.Length);
        Assert.StartsWith("0\t", lines[0]);
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
    [InlineData("--split", "dev", "--task", "shape")]
    [InlineData("--shifted", "1.5", "--task", "shape")]
    public void BadOptionsExitWithCode2(params string[] extra)
    {
        using var dir = Repo.Temp();
        var (code, _, error) = Run(["world", "preview", "--out", dir.Path, .. extra]);
        Assert.Equal(2, code);
        Assert.StartsWith("error:", error);
    }
}
