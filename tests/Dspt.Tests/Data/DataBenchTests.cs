using Dspt.Cli;

namespace Dspt.Tests.Data;

public class DataBenchTests
{
    [Fact]
    public void Bench_data_command_prints_the_table()
    {
        var stdout = new StringWriter();
        int code = DsptCli.Run(["bench", "data", "--entries", "400", "--classes", "20", "--repeats", "1"], stdout, new StringWriter());
        Assert.Equal(0, code);
        Assert.Contains("baseline: ReadAllLines + split + parse", stdout.ToString());
        Assert.Contains("DatasetReader.Read (checked manifest)", stdout.ToString());
        Assert.Equal(2, DsptCli.Run(["bench", "data", "--entries", "10", "--classes", "20"], new StringWriter(), new StringWriter()));
    }
}
