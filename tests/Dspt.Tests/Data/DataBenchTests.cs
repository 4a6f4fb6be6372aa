using Dspt.Cli;

namespace Dspt.Tests.Data;

public class DataBenchTests
{
    [Fact]
    public void Bench_data_command_prints_the_table()
    {
        var stdout = new StringWriter();
        int code = DsptCli.Run(["bench", "data", "--entries", "400", "--num-classes", "20", "--repeats", "1"], stdout, new StringWriter());
        Assert.Equal(0, code);
        var lines = stdout.ToString().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("400 entries, 20 classes", StringComparison.Ordinal));
        // Every stage row carries a measured time (ms > 0) and its throughput.
        foreach (var stage in new[] { "baseline: ReadAllLines + split + parse", "DatasetReader.Read (checked manifest)", "FewShot.Draw", "read + draw" })
        {
            var row = Assert.Single(lines, l => l.StartsWith(stage, StringComparison.Ordinal));
            var numbers = row[42..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(double.Parse(numbers[0], System.Globalization.CultureInfo.InvariantCulture) > 0, row);
            Assert.Equal(3, numbers.Length);
        }
        var error = new StringWriter();
        Assert.Equal(2, DsptCli.Run(["bench", "data", "--entries", "10", "--num-classes", "20"], new StringWriter(), error));
        Assert.StartsWith("error:", error.ToString());
    }
}
