using System.Reflection;

namespace Dspt;

/// <summary>
/// The one way Dspt names versions (`dspt version`, run and demo manifests, pretraining
/// provenance): the package version set in Directory.Build.props, without a commit suffix.
/// </summary>
public static class DsptVersion
{
    public static string Dspt { get; } = Of(typeof(DsptVersion).Assembly);

    public static string TorchSharp { get; } = Of(typeof(global::TorchSharp.torch).Assembly);

    public static string Of(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString(3) ?? "unknown";
}
