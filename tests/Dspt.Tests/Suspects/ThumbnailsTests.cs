using System.Diagnostics;
using Dspt.Suspects;

namespace Dspt.Tests.Suspects;

public class ThumbnailsTests
{
    [Fact]
    public async Task A_fifo_is_skipped_instead_of_blocking_the_decoder()
    {
        using var dir = Repo.Temp();
        string fifo = dir["image.png"];
        using (var p = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { RedirectStandardError = true })!)
        {
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
        }
        var decode = Task.Run(() => Thumbnails.FromFile(fifo));
        Assert.Same(decode, await Task.WhenAny(decode, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Null(await decode);
    }
}
