using Dspt.Reporting;
using SkiaSharp;

namespace Dspt.Tests.Reporting;

public class ReportingTests
{
    static readonly RunResult[] Runs =
    [
        new("CE", "none", 0, 1, 70), new("CE", "none", 0, 2, 74),
        new("CE", "sym", 0.5, 1, 40), new("CE", "sym", 0.5, 2, 50),
        new("DSPT", "none", 0, 1, 72), new("DSPT", "sym", 0.5, 1, 69),
        new("DSPT", "asym", 0.5, 1, 66),
    ];

    [Fact]
    public void SummaryIsMeanAndSampleStd()
    {
        var s = Summary.Of([40.0, 50.0, 60.0]);
        Assert.Equal(50, s.Mean, 12);
        Assert.Equal(10, s.Std, 12); // sqrt((100 + 0 + 100) / 2)
        Assert.Equal("50.0 ± 10.0", s.ToString());
        Assert.Equal("7.0", Summary.Of([7.0]).ToString());
    }

    [Fact]
    public void TableHasMethodsAsRowsAndNoiseSettingsAsColumns()
    {
        var table = new ResultsTable(Runs);
        var lines = table.ToMarkdown().Trim().Split('\n');
        Assert.Equal("| method | 0% | 50% | asym 50% |", lines[0]);
        Assert.Equal("| CE | 72.0 ± 2.8 | 45.0 ± 7.1 | – |", lines[2]);
        Assert.Equal("| DSPT | 72.0 | 69.0 | 66.0 |", lines[3]);
        var csv = table.ToCsv().Trim().Split('\n');
        Assert.Equal(Runs.Length + 1, csv.Length);
        Assert.Equal("CE,sym,0.5,2,50.0000", csv[4]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void PlotsArePngsOfTheRequestedSize()
    {
        using var noise = SKBitmap.Decode(NoisePlot.Render(new ResultsTable(Runs), 60, "test"));
        Assert.Equal((720, 480), (noise.Width, noise.Height));
        var samples = new List<SampleGradient> { new(0.9, 0.1, false), new(0.05, 1.3, true) };
        using var grads = SKBitmap.Decode(GradientPlot.Render([("CE", samples), ("DSPT", samples)], "test"));
        Assert.Equal((920, GradientPlot.PanelHeight + GradientPlot.CaptionHeight), (grads.Width, grads.Height));
    }

    [Fact]
    public void GradientCaptionIsWrittenOnceUnderThePanelsAndFitsTheImage()
    {
        var samples = new List<SampleGradient> { new(0.9, 0.1, false), new(0.05, 1.3, true) };
        string caption = "sym 50 % noise, seed 1, logits of the zero-shot prompt, " + string.Concat(Enumerable.Repeat("a long setting ", 12));
        using var grads = SKBitmap.Decode(GradientPlot.Render([("CE", samples), ("DSPT", samples)], caption));
        // The caption strip holds dark text pixels, none in the outer 8 pixels on either side.
        int Dark(int x0, int x1)
        {
            int n = 0;
            for (int y = GradientPlot.PanelHeight; y < grads.Height; y++)
                for (int x = x0; x < x1; x++)
                    if (grads.GetPixel(x, y) is var c && c.Red + c.Green + c.Blue < 300) n++;
            return n;
        }
        Assert.True(Dark(8, grads.Width - 8) > 100, "no caption text under the panels");
        Assert.Equal(0, Dark(0, 8));
        Assert.Equal(0, Dark(grads.Width - 8, grads.Width));
    }

    [Fact]
    public void NoisePlotPointsOfDifferentMethodsNeverShareAPosition()
    {
        for (int count = 1; count <= 6; count++)
        {
            var xs = new List<double>();
            for (int i = 0; i < count; i++) xs.AddRange([NoisePlot.X(50, i, count), NoisePlot.OtherX(50, i, count)]);
            // Every point at least one offset (about a marker width) from every other.
            var sorted = xs.Order().ToList();
            for (int k = 1; k < sorted.Count; k++) Assert.True(sorted[k] - sorted[k - 1] >= NoisePlot.Offset - 1e-9, $"{count} methods: {string.Join(", ", sorted)}");
            // Centred on the true rate, the other noise types all to its right.
            Assert.Equal(50, Enumerable.Range(0, count).Average(i => NoisePlot.X(50, i, count)), 9);
            Assert.All(Enumerable.Range(0, count), i => Assert.True(NoisePlot.OtherX(50, i, count) > NoisePlot.X(50, count - 1, count)));
        }
    }
}
