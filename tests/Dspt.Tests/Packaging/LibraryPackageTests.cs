using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dspt.Tests.Imaging;
using Xunit.Abstractions;

namespace Dspt.Tests.Packaging;

/// <summary>
/// A program outside the repository, built from the packed Dspt.Core (with the LibTorch it
/// chooses, as docs/library.md says), runs the docs' example on a fixture CLIP. Loading TorchSharp
/// at all proves the package's buildTransitive GLIBCXX fix on Debian 12.
/// </summary>
[Collection(PackageFeedCollection.Name)]
[Trait("Category", "Slow")]
public class LibraryPackageTests(PackageFeed feed, ITestOutputHelper log)
{
    static string Model => Repo.Fixture("clip-models", "vit-tiny", "weights.openai.safetensors");
    static string Vocab => Repo.Fixture("clip-tokenizer", "bpe_simple_vocab_16e6.txt.gz");

    [Fact]
    public void DocsExampleBuildsFromThePackageAndClassifiesLikeTheCli()
    {
        using var tmp = Repo.Temp();
        string project = Directory.CreateDirectory(tmp["consumer"]).FullName;
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Dspt.Core" Version="{feed.Version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), ExampleFromDocs());
        File.Copy(feed.NuGetConfig, Path.Combine(project, "nuget.config"));
        string images = WriteImages(tmp["images"]);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Dotnet.Run(project, TimeSpan.FromMinutes(5), "build", "-c", "Release");
        log.WriteLine($"pack {feed.PackTime.TotalSeconds:F0} s (shared), consumer restore + build {clock.Elapsed.TotalSeconds:F0} s");
        string output = Dotnet.Run(project, TimeSpan.FromMinutes(3), Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll"), Model, Vocab, images);
        log.WriteLine(output);

        // The example's zero-shot answers are the CLI's (`dspt classify`, computed in-process here).
        var expected = Cli.Ok("classify", "--model", Model, "--vocab", Vocab, "--classes", "blue,red", "--json", "--top-k", "1", images)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(e => Path.GetFileName(e.GetProperty("image").GetString()!),
                e => (label: e.GetProperty("top")[0].GetProperty("label").GetString()!, p: e.GetProperty("top")[0].GetProperty("probability").GetDouble()));
        var zeroShot = Regex.Matches(output, @"^zero-shot (\S+): (\S+) \(([\d.]+) ?%\)", RegexOptions.Multiline);
        Assert.Equal(expected.Count, zeroShot.Count);
        foreach (Match m in zeroShot)
        {
            var (label, p) = expected[m.Groups[1].Value];
            Assert.Equal(label, m.Groups[2].Value);
            // Printed to 0.1 %: half a unit of rounding.
            Assert.InRange(double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), 100 * p - 0.051, 100 * p + 0.051);
        }
        var trained = Regex.Match(output, @"^trained 20 epochs, last loss (\S+)", RegexOptions.Multiline);
        Assert.True(trained.Success, output);
        Assert.True(double.IsFinite(double.Parse(trained.Groups[1].Value, CultureInfo.InvariantCulture)));
        Assert.Matches(@"(?m)^learned prompt: [\d.]+ % of 6 images", output);
    }

    /// <summary>The docs' one C# program, verbatim.</summary>
    static string ExampleFromDocs()
    {
        var blocks = Regex.Matches(File.ReadAllText(Path.Combine(Repo.Root, "docs", "library.md")), @"```csharp\n(.*?)```", RegexOptions.Singleline);
        return Assert.Single(blocks).Groups[1].Value;
    }

    /// <summary>Three bluish and three reddish 40x40 images in class folders.</summary>
    static string WriteImages(string root)
    {
        foreach (var (name, rgb) in new[] { ("blue", (r: 20, g: 40, b: 220)), ("red", (r: 220, g: 30, b: 30)) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < 3; i++)
            {
                var rows = new byte[40 * 40 * 3];
                for (int p = 0; p < 40 * 40; p++)
                {
                    int shade = (p % 40) * (i + 1);
                    rows[3 * p] = (byte)Math.Clamp(rgb.r + shade / 4, 0, 255);
                    rows[3 * p + 1] = (byte)Math.Clamp(rgb.g + shade / 8, 0, 255);
                    rows[3 * p + 2] = (byte)Math.Clamp(rgb.b - shade / 4, 0, 255);
                }
                File.WriteAllBytes(Path.Combine(root, name, $"{name}-{i}.png"), TestImageFiles.Png(40, 40, TestImageFiles.PngRgb, rows));
            }
        }
        return root;
    }
}
