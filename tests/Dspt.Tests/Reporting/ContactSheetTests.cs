using Dspt.Data;
using Dspt.Reporting;
using Dspt.Tests.Data;
using SkiaSharp;

namespace Dspt.Tests.Reporting;

public class ContactSheetTests
{
    // Layout constants of ContactSheet (margin 10, name column 200, gap 6, header 30, caption 16).
    static (int X, int Y) ThumbCentre(int row, int k, int thumb) => (10 + 200 + k * (thumb + 6) + thumb / 2, 30 + 10 + row * (thumb + 16 + 6) + thumb / 2);

    [Fact]
    public void Shows_each_class_thumbnails_in_their_colour_and_frames_wrong_labels()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Folder(tmp["data"], ["a", "b", "c"], [12, 12, 12]);
        var d = DatasetReader.Read(dir, options: new DatasetOptions { SplitRatios = [1, 0, 0] });
        var split = FewShot.Draw(d, 4, NoiseSpec.Parse("asym:0.5"), 1);
        string png = tmp["sheet.png"];
        Assert.Equal(0, DatasetContactSheet.Write(png, split, perClass: 4, thumb: 64));

        using var sheet = SKBitmap.Decode(png);
        Assert.Equal((2 * 10 + 200 + 4 * 70, 30 + 10 + 3 * 86), (sheet.Width, sheet.Height));
        for (int c = 0; c < 3; c++)
        {
            var shown = split.Train.Where(i => i.Label == c).Take(4).ToList();
            for (int k = 0; k < shown.Count; k++)
            {
                var (x, y) = ThumbCentre(c, k, 64);
                var expected = DataFixtures.ColorOf(shown[k].CleanLabel); // the image shows its real class
                var actual = sheet.GetPixel(x, y);
                Assert.InRange(Math.Abs(actual.Red - expected.Red) + Math.Abs(actual.Green - expected.Green) + Math.Abs(actual.Blue - expected.Blue), 0, 12); // JPEG thumbnails: a few levels
                var edge = sheet.GetPixel(x - 32, y);
                bool red = edge.Red > 180 && edge.Green < 60 && edge.Blue < 60;
                Assert.Equal(shown[k].IsCorrupted, red);
            }
        }
        Assert.Contains(split.Train.Take(16), i => i.IsCorrupted); // the frame check above saw both kinds
    }

    [Fact]
    public void Unreadable_images_become_placeholders_and_are_counted()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Folder(tmp["data"], ["a", "b"], [3, 3]);
        var d = DatasetReader.Read(dir, options: new DatasetOptions { SplitRatios = [1, 0, 0] });
        File.WriteAllText(Path.Combine(dir, d.Train[0].Path), "not an image");
        var warnings = new List<string>();
        int bad = DatasetContactSheet.Write(tmp["s.png"], FewShot.Draw(d, 0, NoiseSpec.Clean, 1), warn: warnings.Add);
        Assert.Equal(1, bad);
        Assert.Contains(warnings, w => w.Contains("1 image(s) could not be decoded"));
        Assert.NotNull(SKBitmap.Decode(tmp["s.png"]));
    }
}
