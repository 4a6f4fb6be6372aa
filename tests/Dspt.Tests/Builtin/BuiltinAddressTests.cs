using System.Text.Json;
using Dspt.Builtin;
using Dspt.Data;
using SkiaSharp;

namespace Dspt.Tests.Builtin;

/// <summary>`--model builtin` and `--dataset builtin:TASK[@SEED]` wherever a model or dataset is read.</summary>
public class BuiltinAddressTests
{
    [Fact]
    public void BuiltinDatasetsReadLikeFolders()
    {
        var shape = DatasetReader.Read("builtin:shape");
        Assert.Equal((20, 640, 80, 1000), (shape.NumClasses, shape.Train.Count, shape.Val.Count, shape.Test.Count));
        Assert.Equal("builtin:shape", shape.Root);
        var colour = DatasetReader.Read("builtin:colour?test=5");
        Assert.Equal((10, 50), (colour.NumClasses, colour.Test.Count));
        Assert.Equal("builtin:colour?test=5", BuiltinDataset.Parse("BUILTIN:color@1?test=5").Address);

        // Another world seed: the same task, other images.
        var a = BuiltinDataset.Parse("builtin:shape").CreateTask();
        var b = BuiltinDataset.Parse("builtin:shape@7").CreateTask();
        Assert.Equal(a.Train[0].Path, b.Train[0].Path);
        Assert.NotEqual(a.Render(a.Train[0].Path), b.Render(b.Train[0].Path));

        Assert.Contains("built-in task 'cats' does not exist", Assert.Throws<InvalidInputException>(() => DatasetReader.Read("builtin:cats")).Message);
        Assert.Contains("unknown option 'size'", Assert.Throws<InvalidInputException>(() => DatasetReader.Read("builtin:shape?size=3")).Message);
    }

    [Fact]
    public void DataInspectAndInfoTakeBuiltinAddresses()
    {
        using var dir = Repo.Temp();
        var json = Cli.Ok("data", "inspect", "builtin:shape@2", "--shots", "4", "--noise", "sym:0.5", "--json", "--sheet", dir["sheet.png"]);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(20, doc.RootElement.GetProperty("num_classes").GetInt32());
        Assert.Equal("builtin:shape@2", doc.RootElement.GetProperty("root").GetString());
        // The contact sheet shows rendered items, not "unreadable" placeholders.
        using var sheet = SKBitmap.Decode(dir["sheet.png"]);
        Assert.NotNull(sheet);
        var (code, _, err) = Cli.Run("data", "inspect", "builtin:shape", "--sheet", dir["sheet2.png"]);
        Assert.Equal(0, code);
        Assert.DoesNotContain("could not be decoded", err);

        var info = Cli.Ok("info", "builtin");
        Assert.Contains("sha256", info, StringComparison.OrdinalIgnoreCase);
    }
}
