using System.Diagnostics;

namespace Dspt.Tests;

/// <summary>
/// The CLI sets OMP_WAIT_POLICY=PASSIVE and glibc's malloc options in its own process before
/// LibTorch loads. libgomp reports what it read (OMP_DISPLAY_ENV=VERBOSE prints GOMP_SPINCOUNT,
/// 0 under PASSIVE, 300000 by default), so a real `dspt` process shows whether the setting
/// arrived in time. Linux only, like the tuning (and the CI image).
/// </summary>
public class NativeTuningTests
{
    static (string Out, string Err) Version(params (string Name, string Value)[] environment)
    {
        var info = Cli.Process("version");
        info.Environment.Remove("OMP_WAIT_POLICY");
        info.Environment.Remove("GLIBC_TUNABLES");
        info.Environment["OMP_DISPLAY_ENV"] = "VERBOSE";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "dspt version did not finish");
        Assert.Equal(0, p.ExitCode);
        return (output, err.Result);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LibgompReadsThePassiveWaitPolicyTheCliSets()
    {
        var (output, err) = Version();
        Assert.Contains("GOMP_SPINCOUNT = '0'", err);
        Assert.Contains("OMP_WAIT_POLICY PASSIVE", output);
        Assert.Contains("malloc keeps freed memory", output);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheUsersOwnSettingsWinAndTheDefaultsCanBeTurnedOff()
    {
        var (output, err) = Version(("OMP_WAIT_POLICY", "ACTIVE"), ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=12345678"));
        Assert.Contains("OMP_WAIT_POLICY = 'ACTIVE'", err);
        Assert.Contains("GLIBC_TUNABLES=glibc.malloc.trim_threshold=12345678", output);

        (output, err) = Version(("DSPT_NATIVE_DEFAULTS", "0"));
        Assert.Contains("GOMP_SPINCOUNT = '300000'", err);
        Assert.Contains("DSPT_NATIVE_DEFAULTS=0", output);
    }
}
