using Dspt.World;

namespace Dspt.Tests.World;

public class WorldTaskTests
{
    static readonly WorldSplitSizes Small = new(TrainPerClass: 6, ValPerClass: 2, TestPerClass: 4);

    [Fact]
    public void ShapeTaskHasTwentyClassesAndPrompts()
    {
        var task = WorldTask.Shape(sizes: Small);
        Assert.Equal("shape", task.Name);
        Assert.Equal(Enum.GetValues<Shape>().Select(WorldNames.Name), task.ClassNames);
        Assert.Equal(20, task.ClassNames.Distinct().Count());
        Assert.Equal("a photo of a star.", task.Prompt((int)Shape.Star));
        Assert.Equal("world/shape/test/000003", task.Test[3].Path);
    }

    [Theory]
    [InlineData("shape")]
    [InlineData("colour")]
    public void SplitsAreBalancedAndDisjoint(string name)
    {
        var task = WorldTask.ByName(name, seed: 4, sizes: Small);
        int classes = task.ClassNames.Count;
        int[] perClass = [Small.TrainPerClass, Small.ValPerClass, Small.TestPerClass];
        var images = new Dictionary<string, string>();
        for (int s = 0; s < 3; s++)
        {
            var split = task.Split(WorldTask.SplitNames[s]);
            Assert.Equal(perClass[s] * classes, split.Count);
            Assert.All(split.GroupBy(item => item.Label), g => Assert.Equal(perClass[s], g.Count()));
            Assert.Equal(Enumerable.Range(0, classes), split.Select(item => item.Label).Distinct().Order());
            foreach (var (path, _) in split)
            {
                // No image occurs twice, within a split or across splits.
                string key = Convert.ToHexString(task.Render(path));
                Assert.False(images.ContainsKey(key), $"{path} renders the same image as {images.GetValueOrDefault(key)}");
                images[key] = path;
            }
        }
    }

    [Fact]
    public void EachItemShowsItsLabel()
    {
        var shapes = WorldTask.Shape(sizes: Small);
        foreach (var (path, label) in shapes.Train.Concat(shapes.Test))
            Assert.Equal(shapes.ClassNames[label], WorldNames.Name(shapes.SceneOf(path).Shape));
        var colours = WorldTask.Colour(sizes: Small);
        foreach (var (path, label) in colours.Train.Concat(colours.Test))
            Assert.Equal(colours.ClassNames[label], WorldNames.Name(colours.SceneOf(path).Colour));
    }

    [Fact]
    public void RenderingIsDeterministicPerSeed()
    {
        var a = WorldTask.Shape(seed: 3, sizes: Small);
        var b = WorldTask.Shape(seed: 3, sizes: Small);
        var c = WorldTask.Shape(seed: 4, sizes: Small);
        string path = a.Test[7].Path;
        Assert.Equal(a.Render(path), b.Render(path));
        Assert.NotEqual(a.Render(path), c.Render(path));
        Assert.Equal(64 * 64 * 3, a.Render(path).Length);
        // Item k of a split is the same whatever the split sizes.
        var larger = WorldTask.Shape(seed: 3, sizes: new(TrainPerClass: 50, ValPerClass: 9, TestPerClass: 30));
        Assert.Equal(a.Render(path), larger.Render(path));
    }

    /// <summary>The shifted share sets the style mix of the downstream items (4.5 binomial standard errors).</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    public void ShiftedFractionSetsTheStyleMix(double shifted)
    {
        var task = WorldTask.Shape(seed: 2, spec: WorldSpec.Downstream(shifted), sizes: new(TrainPerClass: 0, ValPerClass: 0, TestPerClass: 150));
        var styles = task.Test.Select(item => task.SceneOf(item.Path).Style).ToArray();
        foreach (var style in new[] { Style.Outline, Style.Faint, Style.Noisy })
        {
            double p = shifted / 3, observed = styles.Count(s => s == style) / (double)styles.Length;
            double margin = 4.5 * Math.Sqrt(p * (1 - p) / styles.Length);
            Assert.InRange(observed, p - margin, p + margin);
        }
    }

    [Theory]
    [InlineData("world/shape/test/000999")]   // beyond the split
    [InlineData("world/colour/test/000001")]  // another task
    [InlineData("world/shape/dev/000001")]    // no such split
    [InlineData("world/shape/test/1")]        // not six digits
    [InlineData("world/shape/test/-00001")]
    [InlineData("shape/test/000001")]
    public void ABadPathIsRejectedWithItsName(string path)
    {
        var task = WorldTask.Shape(sizes: Small);
        var e = Assert.Throws<InvalidInputException>(() => task.Render(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void UnknownTaskAndSplitAreRejected()
    {
        Assert.Contains("'texture'", Assert.Throws<InvalidInputException>(() => WorldTask.ByName("texture")).Message);
        Assert.Contains("'dev'", Assert.Throws<InvalidInputException>(() => WorldTask.Shape(sizes: Small).Split("dev")).Message);
        Assert.Throws<InvalidInputException>(() => WorldTask.Shape(sizes: new(TrainPerClass: -1)));
    }
}
