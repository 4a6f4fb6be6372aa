using System.Text.Json;
using Dspt.Runs;
using Dspt.Tests.Training;

namespace Dspt.Tests;

/// <summary>`--config FILE` (YAML or JSON, keys the long option names, the command line wins) and response files (`@args.rsp`).</summary>
public class ConfigFileTests
{
    static JsonElement Inspect(params string[] args)
    {
        var output = Cli.Ok(["data", "inspect", "builtin:shape", "--json", .. args]);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public void YamlAndJsonConfigsSetOptionsAndTheCommandLineWins()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["c.yaml"], "# a comment\nshots: 2\nseed: 7\nnoise: sym:0.5\nsplit_seed: 3\n");
        var fromYaml = Inspect("--config", dir["c.yaml"]);
        Assert.Equal((2, 7, "sym:0.5"), (fromYaml.GetProperty("shots").GetInt32(), fromYaml.GetProperty("seed").GetInt32(), fromYaml.GetProperty("noise").GetString()));
        // The same settings typed out give the same draw.
        var typed = Inspect("--shots", "2", "--seed", "7", "--noise", "sym:0.5", "--split-seed", "3");
        Assert.Equal(typed.GetProperty("train").GetRawText(), fromYaml.GetProperty("train").GetRawText());

        File.WriteAllText(dir["c.json"], """{ "shots": 2, "seed": 7, "noise": "sym:0.5", "split-seed": 3 }""");
        Assert.Equal(typed.GetProperty("train").GetRawText(), Inspect("--config", dir["c.json"]).GetProperty("train").GetRawText());

        var overridden = Inspect("--config", dir["c.yaml"], "--seed", "9");
        Assert.Equal(9, overridden.GetProperty("seed").GetInt32());
        Assert.Equal(2, overridden.GetProperty("shots").GetInt32());
    }

    [Fact]
    public void AConfigSetsFlagsAndListsAndRequiredOptions()
    {
        using var dir = Repo.Temp();
        // --out is required by world preview: the config may give it.
        File.WriteAllText(dir["w.yaml"], $"out: {dir["sheet"]}\ncount: 2\n");
        Cli.Ok("world", "preview", "--config", dir["w.yaml"]);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir["sheet"], "world-preview.txt")).Length);

        File.WriteAllText(dir["strict.yaml"], "shots: 1000\nstrict: true\n");
        var (code, _, err) = Cli.Run("data", "inspect", "builtin:shape", "--config", dir["strict.yaml"]);
        Assert.Equal(2, code);
        Assert.Contains("K = 1000 is more than", err);
        File.WriteAllText(dir["lax.yaml"], "shots: 1000\nstrict: false\n");
        Cli.Ok("data", "inspect", "builtin:shape", "--config", dir["lax.yaml"]);
    }

    [Theory]
    [InlineData("shots: 2\nbatchsize: 3\n", "key 'batchsize' (line 2): not an option of 'dspt data inspect'")]
    [InlineData("seed: two\n", "key 'seed' (line 1): expected an integer, got 'two'")]
    [InlineData("strict: maybe\n", "key 'strict' (line 1): expected true or false, got 'maybe'")]
    [InlineData("seed: [1, 2]\n", "key 'seed' (line 1): expected an integer, got a list")]
    [InlineData("seed: [[1]]\n", "key 'seed' (line 1): expected an integer, got a list")]
    [InlineData("noise: {sym: 1}\n", "key 'noise' (line 1): expected a string, got a mapping")]
    [InlineData("seed: 1\nseed_x: 2\n", "key 'seed_x' (line 2): not an option")]
    [InlineData("split-seed: 1\nsplit_seed: 2\n", "key 'split_seed' (line 2): the same option as 'split-seed'")]
    [InlineData("config: other.yaml\n", "key 'config' (line 1): a config file cannot name another config file")]
    [InlineData("- shots\n", "expected one mapping of option names to values")]
    [InlineData("shots: [1\n", "not valid YAML or JSON")]
    public void BadConfigsAreErrorsNamingTheKeyAndTheFile(string text, string expected)
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["bad.yaml"], text);
        var (code, output, err) = Cli.Run("data", "inspect", "builtin:shape", "--config", dir["bad.yaml"]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {dir["bad.yaml"]}", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void VerboseFromAConfigPrintsTheTrace()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["v.yaml"], "verbose: true\nout: /proc/x\n");
        var (code, _, err) = Cli.Run("world", "preview", "--config", dir["v.yaml"]);
        Assert.Equal(1, code);
        Assert.Contains("   at ", err);
        var m = System.Text.RegularExpressions.Regex.Match(err, @"full trace in (.+?); --verbose");
        if (m.Success) File.Delete(m.Groups[1].Value);
    }

    [Fact]
    public void AMissingConfigFileIsAnError()
    {
        var (code, _, err) = Cli.Run("data", "inspect", "builtin:shape", "--config", "/no/such/config.yaml");
        Assert.Equal(2, code);
        Assert.Contains("--config /no/such/config.yaml: no such file", err);
    }

    [Fact]
    public void AnUnknownKeyListsTheCommandsOptions()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["bad.yaml"], "nope: 1\n");
        var (_, _, err) = Cli.Run("world", "preview", "--config", dir["bad.yaml"]);
        Assert.Contains("not an option of 'dspt world preview'; its options: out, world-seed, count", err);
    }

    [Fact]
    public void ResponseFilesHoldArgumentsOnePerLineOrSpaceSeparated()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["args.rsp"], "data inspect builtin:shape\n--json\n--shots 2\n--seed 7\n");
        var fromFile = JsonDocument.Parse(Cli.Ok($"@{dir["args.rsp"]}")).RootElement;
        var typed = Inspect("--shots", "2", "--seed", "7");
        Assert.Equal(typed.GetProperty("train").GetRawText(), fromFile.GetProperty("train").GetRawText());
        // Mixed with typed arguments; the later one wins for a single-valued option.
        File.WriteAllText(dir["opts.rsp"], "--shots 2\n--seed 7\n");
        var mixed = JsonDocument.Parse(Cli.Ok("data", "inspect", "builtin:shape", "--json", $"@{dir["opts.rsp"]}")).RootElement;
        Assert.Equal(typed.GetProperty("train").GetRawText(), mixed.GetProperty("train").GetRawText());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheRunManifestRecordsTheResolvedSettingsAndTheyReplayAsAConfig()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        File.WriteAllText(dir["train.yaml"], $"model: {TinyDataset.Model}\nvocab: {TinyDataset.Vocab}\ndataset: {data.Root}\n"
            + $"cache-dir: {dir["cache"]}\nshots: 8\nnoise: sym:0.25\nseed: 2\nepochs: 1\nbatch-size: 4\nviews: 0\nn-ctx: 4\nlr: 0.05\n");
        var (code, _, err) = Cli.Run("train", "--config", dir["train.yaml"], "--out", dir["run"], "--seed", "3");
        Assert.True(code == 0, err);
        var manifest = new RunFolder(dir["run"]).ReadManifest();
        Assert.Equal(3, manifest.Spec.Seed);   // the command line won
        Assert.Equal(4, manifest.Spec.Train.BatchSize);
        var invocation = manifest.Invocation!;
        Assert.Equal("train", (string)invocation["command"]!);
        Assert.Equal(dir["train.yaml"], (string)invocation["config"]!);
        var options = invocation["options"]!.AsObject();
        Assert.Equal(4, (int)options["batch_size"]!);
        Assert.Equal(3, (int)options["seed"]!);
        Assert.Equal("dspt", (string)options["loss"]!);   // a default, resolved
        Assert.Contains("seed", invocation["given"]!.AsArray().Select(n => (string)n!));
        Assert.DoesNotContain("loss", invocation["given"]!.AsArray().Select(n => (string)n!));

        // The recorded options are a config file themselves (JSON, snake_case keys): replayed, the same run.
        options.Remove("out");
        options.Remove("resume");
        File.WriteAllText(dir["replay.json"], options.ToJsonString());
        var replay = Cli.Run("train", "--config", dir["replay.json"], "--out", dir["run2"]);
        Assert.True(replay.Code == 0, replay.Err);
        var again = new RunFolder(dir["run2"]).ReadManifest();
        Assert.Equal(manifest.Fingerprint, again.Fingerprint);
    }
}
