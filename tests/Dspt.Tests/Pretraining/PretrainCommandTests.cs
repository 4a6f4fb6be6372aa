using Dspt.Demo;

namespace Dspt.Tests.Pretraining;

/// <summary>`dspt pretrain` never replaces a finished model (the bundled one) unless asked.</summary>
public class PretrainCommandTests
{
    [Fact]
    public void AFinishedModelIsKeptWithoutOverwrite()
    {
        using var dir = Repo.Temp();
        string weights = dir[DemoModel.WeightsFile];
        File.WriteAllText(weights, "a finished model");
        var (code, _, err) = Cli.Run("pretrain", "--out", dir.Path, "--steps", "1");
        Assert.Equal(2, code);
        Assert.Contains($"{dir.Path} already holds a finished model ({DemoModel.WeightsFile})", err);
        Assert.Contains("--overwrite", err);
        Assert.Equal("a finished model", File.ReadAllText(weights));

        // The bundled model itself, as the default used to write into it from a clone.
        string bundled = Path.Combine(Repo.Root, "assets", "demo");
        string before = ContentHashOf(Path.Combine(bundled, DemoModel.WeightsFile));
        (code, _, err) = Cli.Run("pretrain", "--out", bundled, "--steps", "1");
        Assert.Equal(2, code);
        Assert.Equal(before, ContentHashOf(Path.Combine(bundled, DemoModel.WeightsFile)));
    }

    [Fact]
    public void TheDefaultOutputIsNotTheBundledModel()
    {
        var help = Cli.Ok("pretrain", "--help");
        Assert.Contains("runs/pretrain", help);
        Assert.DoesNotContain("assets/demo]", help);
    }

    static string ContentHashOf(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
