using System.Globalization;
using Dspt.Data;
using Dspt.Training;
using Dspt.World;

namespace Dspt.Tests;

/// <summary>
/// Pins the outputs of the three seeded-stream algorithms as they were when the stored splits,
/// run folders and the bundled model were made (values computed by the code before the streams
/// were merged into one type). A change here changes every stored split and the demo model.
/// </summary>
public class SeedStreamsPinTests
{
    static string Join(IEnumerable<object> values) => string.Join(",", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    [Fact]
    public void Data_draw_streams_are_unchanged()
    {
        var actual = Join([
            SeedStreams.DrawSeed(1, "train"), SeedStreams.DrawSeed(1, "val"), SeedStreams.DrawSeed(1, "noise"),
            SeedStreams.DrawSeed(12345, "train"), SeedStreams.DrawSeed(-7, "val"), SeedStreams.DrawSeed(0, "ünï"),
            new Random(SeedStreams.DrawSeed(3, "train")).Next()]);
        Assert.Equal("524710359,1002231204,1116624722,64013143,1500208737,1004962089,1217230431", actual);
    }

    [Fact]
    public void Named_training_streams_are_unchanged()
    {
        var actual = Join([
            SeedStreams.Named(7, "shuffle", 0).Next(), SeedStreams.Named(7, "shuffle", 1).Next(),
            SeedStreams.Named(1, "views", 3).Next(1000), SeedStreams.Named(-2, "augment", "ab12cd", 5).Next(),
            SeedStreams.Named(0, "x").NextDouble(),
            .. SeedStreams.Permutation(10, SeedStreams.Named(7, "shuffle", 0)).Cast<object>()]);
        Assert.Equal("306931387,1616836416,689,1096529531,0.32843805026655926,5,2,9,8,4,3,6,0,7,1", actual);
    }

    [Fact]
    public void World_item_streams_are_unchanged()
    {
        var actual = Join([
            SeedStreams.Mix(0), SeedStreams.Mix(42), SeedStreams.StreamId("scene"), SeedStreams.StreamId("ünï"),
            SeedStreams.ItemKey(3, SeedStreams.StreamId("scene"), 5), SeedStreams.ItemKey(-1, 17, -4),
            SeedStreams.Item(3, SeedStreams.StreamId("caption"), 2).Next(), SeedStreams.Item(0, 0, 0).Next()]);
        Assert.Equal("16294208416658607535,13679457532755275413,1262761442079199527,1363170983420014709,8487382477694569866,4265298283074163907,1656311166,1882173042", actual);
    }
}
