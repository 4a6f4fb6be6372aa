using System.Runtime.InteropServices;
using Dspt.Evaluation;
using static TorchSharp.torch;

namespace Dspt.Tests;

/// <summary>LibTorch's "Optimizer::parameters() will be removed" warning does not reach stderr.</summary>
public class LibTorchWarningsTests
{
    const string Warning = "Optimizer::parameters() will be removed";

    [Fact]
    public void LbfgsWarnsUnlessSuppressedAndTheLinearProbeSuppressesIt()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test reads the native stderr through Linux file descriptors");
        using var weight = nn.Parameter(zeros(3, 2));
        // The control: this capture does see the warning TorchSharp's LBFGS makes LibTorch print.
        Assert.Contains(Warning, NativeStderr(() => optim.LBFGS([weight]).Dispose()));
        Assert.DoesNotContain(Warning, NativeStderr(() => LibTorchWarnings.Suppressed(() => optim.LBFGS([weight])).Dispose()));
        // Still warning outside the suppressed call: the level was restored.
        Assert.Contains(Warning, NativeStderr(() => optim.LBFGS([weight]).Dispose()));

        using var x = randn(8, 4, generator: new TorchSharp.torch.Generator(1));
        long[] labels = [0, 1, 0, 1, 0, 1, 0, 1];
        string probe = NativeStderr(() => LinearProbe.Accuracy(x, labels, x, labels, 2));
        Assert.DoesNotContain(Warning, probe);
    }

    /// <summary>What native code writes to file descriptor 2 while <paramref name="action"/> runs.</summary>
    static string NativeStderr(Action action)
    {
        string path = Path.GetTempFileName();
        int saved = dup(2);
        int file = open(path, 1 /* O_WRONLY */);
        Assert.True(saved >= 0 && file >= 0);
        try
        {
            dup2(file, 2);
            action();
        }
        finally
        {
            dup2(saved, 2);
            close(file);
            close(saved);
        }
        string text = File.ReadAllText(path);
        File.Delete(path);
        return text;
    }

    [DllImport("libc", SetLastError = true)] static extern int dup(int fd);
    [DllImport("libc", SetLastError = true)] static extern int dup2(int from, int to);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] static extern int open(string path, int flags);
}
