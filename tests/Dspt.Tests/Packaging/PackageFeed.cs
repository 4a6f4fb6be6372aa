using System.Diagnostics;
using System.Security;

namespace Dspt.Tests.Packaging;

/// <summary>
/// A local NuGet feed with Dspt.Core and the Dspt.Cli tool packed from this build (`dotnet pack
/// --no-build`), and a nuget.config that restores from it plus the user's normal sources. Our
/// packages are extracted into a private packages folder (the user's cache never holds a stale
/// Dspt.Core 0.1.0); everything else is read from the user's cache as a fallback folder, so
/// LibTorch is not downloaded or copied again.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    public TempDir Root { get; } = Repo.Temp();
    public string Feed => Root["feed"];
    public string NuGetConfig => Root["nuget.config"];
    public string Version { get; } = typeof(Dspt.InvalidInputException).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];
    public TimeSpan PackTime { get; }

    public PackageFeed()
    {
        var clock = Stopwatch.StartNew();
        foreach (var project in new[] { "src/Dspt.Core", "src/Dspt.Cli" })
            Dotnet.Run(Repo.Root, TimeSpan.FromMinutes(5), "pack", Path.Combine(Repo.Root, project),
                "-c", Dotnet.Configuration, "--no-build", "-o", Feed);
        PackTime = clock.Elapsed;
        string userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{SecurityElement.Escape(Root["packages"])}" /></config>
              <fallbackPackageFolders><add key="user" value="{SecurityElement.Escape(userPackages)}" /></fallbackPackageFolders>
              <packageSources><add key="dspt-local" value="{SecurityElement.Escape(Feed)}" /></packageSources>
            </configuration>
            """);
    }

    public void Dispose() => Root.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "packed packages";
}
