using System.Globalization;
using System.Text.Json;
using Dspt.Tests.Training;

namespace Dspt.Tests.Suspects;

public class SuspectsCommandTests
{
    /// <summary>A small cross-fitted run; <paramref name="overrides"/> are option/value pairs replacing these.</summary>
    static string[] Args(TinyDataset data, TempDir dir, string output, params string[] overrides)
    {
        var options = new List<(string Name, string Value)>
        {
            ("--model", TinyDataset.Model), ("--vocab", TinyDataset.Vocab), ("--dataset", data.Root), ("--shots", "8"),
            ("--noise", "sym:0.25"), ("--folds", "3"), ("--epochs", "2"), ("--views", "0"), ("--batch-size", "4"), ("--n-ctx", "4"),
            ("--lr", "0.05"), ("--cache-dir", dir["cache"]), ("--out", output),
        };
        for (int i = 0; i + 1 < overrides.Length; i += 2)
        {
            int at = options.FindIndex(o => o.Name == overrides[i]);
            if (at >= 0) options[at] = (overrides[i], overrides[i + 1]);
            else options.Add((overrides[i], overrides[i + 1]));
        }
        return ["suspects", .. options.SelectMany(o => new[] { o.Name, o.Value })];
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Cross_fitted_run_writes_every_output_ranked_with_the_truth_of_synthetic_noise()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"]);
        var (code, stdout, stderr) = Cli.Run(Args(data, dir, dir["out"]));
        Assert.True(code == 0, stderr);
        Assert.Contains("fold 3/3: training dspt on", stderr);
        foreach (var f in new[] { "suspects.csv", "summary.md", "manifest.json", "suspects.html", "detection.csv", "pr-curves.png" })
            Assert.True(File.Exists(Path.Combine(dir["out"], f)), f);

        var lines = File.ReadAllLines(dir["out/suspects.csv"]);
        var header = lines[0].Split(',');
        Assert.Equal(33, lines.Length);   // 32 items
        int confidence = Array.IndexOf(header, "self_confidence"), fold = Array.IndexOf(header, "fold"), wrong = Array.IndexOf(header, "wrong");
        Assert.True(confidence > 0 && fold > 0 && wrong > 0, lines[0]);
        Assert.Contains("zero_shot_p_given", header);
        Assert.Contains("in_sample_ce_p_given", header);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var confidences = rows.Select(r => double.Parse(r[confidence], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(confidences.Order(), confidences);   // ranked by self-confidence, most suspicious (lowest) first
        Assert.Equal(8, rows.Count(r => r[wrong] == "1"));   // floor(0.25 x 32)
        Assert.All(rows, r => Assert.InRange(int.Parse(r[fold], CultureInfo.InvariantCulture), 0, 2));

        using var manifest = JsonDocument.Parse(File.ReadAllText(dir["out/manifest.json"]));
        Assert.Equal("dspt-suspects-v1", manifest.RootElement.GetProperty("format").GetString());
        Assert.Equal("cross-fitted", manifest.RootElement.GetProperty("settings").GetProperty("scoring").GetString());
        Assert.True(manifest.RootElement.GetProperty("truth_known").GetBoolean());
        // The resolved options, as train records them; one key style.
        var invocation = manifest.RootElement.GetProperty("invocation");
        Assert.Equal("suspects", invocation.GetProperty("command").GetString());
        Assert.Equal(3, invocation.GetProperty("options").GetProperty("folds").GetInt32());
        Assert.Equal(JsonValueKind.Null, invocation.GetProperty("config").ValueKind);
        JsonKeys.AssertSnakeCase(dir["out/manifest.json"]);

        string summary = File.ReadAllText(dir["out/summary.md"]);
        Assert.Contains("scored out of sample", summary);
        Assert.Contains("## Detection quality", summary);
        Assert.Contains("reference: zero-shot CLIP p(given)", summary);
        Assert.Contains("| self_confidence |", stdout);
        Assert.Equal(32, Directory.GetFiles(dir["out/thumbs"], "*.png").Length);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_finished_run_is_scored_in_sample_and_says_so()
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 4, testPerClass: 1);
        var train = Cli.Run(data.TrainArgs(dir["run"], dir["cache"], 1, "--shots", "4", "--views", "0"));
        Assert.True(train.Code == 0, train.Err);
        var (code, _, stderr) = Cli.Run("suspects", "--run", dir["run"], "--vocab", TinyDataset.Vocab, "--cache-dir", dir["cache"], "--out", dir["out"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("scored in sample", stderr);
        Assert.Contains("scored **in sample**", File.ReadAllText(dir["out/summary.md"]));
        using var manifest = JsonDocument.Parse(File.ReadAllText(dir["out/manifest.json"]));
        Assert.Equal("in-sample", manifest.RootElement.GetProperty("settings").GetProperty("scoring").GetString());
        var lines = File.ReadAllLines(dir["out/suspects.csv"]);
        int fold = Array.IndexOf(lines[0].Split(','), "fold");
        Assert.Equal(17, lines.Length);
        Assert.All(lines.Skip(1), r => Assert.Equal("-1", r.Split(',')[fold]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void The_built_in_world_is_scored_with_rendered_thumbnails()
    {
        using var dir = Repo.Temp();
        var (code, _, stderr) = Cli.Run("suspects", "--model", "builtin", "--dataset", "builtin:shape?train=4&test=1", "--shots", "4",
            "--noise", "sym:0.5", "--folds", "2", "--epochs", "1", "--views", "0", "--references", "zero-shot", "--page-items", "10",
            "--cache-dir", dir["cache"], "--out", dir["out"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(81, File.ReadAllLines(dir["out/suspects.csv"]).Length);   // 20 classes x 4
        var thumbs = Directory.GetFiles(dir["out/thumbs"], "*.png");
        Assert.Equal(24, thumbs.Length);   // the page's 10 and the summary's 24 overlap: max of the two
        using (var png = SkiaSharp.SKBitmap.Decode(thumbs[0]))
            Assert.Equal(64, png.Width);   // the world renders 64 x 64, below the 96-pixel thumbnail size
        using var manifest = JsonDocument.Parse(File.ReadAllText(dir["out/manifest.json"]));
        Assert.Equal("builtin", manifest.RootElement.GetProperty("model").GetString());
        Assert.Equal("builtin:shape?train=4&test=1", manifest.RootElement.GetProperty("settings").GetProperty("dataset").GetString());
    }

    /// <summary>--learner: the fold prompts are the chosen learner's, from its own config (CoCoOp: batch 1, 4 vectors), unless options say otherwise.</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("cocoop", 1, 4, 0.002)]
    [InlineData("kgcoop", 32, 4, 0.002)]
    [InlineData("kgcoop:2", 32, 4, 0.002)]
    public void Every_learner_scores_the_built_in_world(string learner, int batch, int nCtx, double lr)
    {
        using var dir = Repo.Temp();
        var (code, stdout, stderr) = Cli.Run("suspects", "--model", "builtin", "--dataset", "builtin:shape?train=2&test=1", "--shots", "2",
            "--noise", "sym:0.5", "--folds", "2", "--epochs", "1", "--views", "0", "--references", "none", "--page-items", "5", "--learner", learner,
            "--threads", "1", "--cache-dir", dir["cache"], "--out", dir["out"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("fold 2/2", stderr);
        Assert.Contains("AUROC", stdout);
        Assert.Equal(41, File.ReadAllLines(dir["out/suspects.csv"]).Length);   // 20 classes x 2
        using var manifest = JsonDocument.Parse(File.ReadAllText(dir["out/manifest.json"]));
        var settings = manifest.RootElement.GetProperty("settings");
        Assert.Equal(learner, settings.GetProperty("learner").GetString());
        Assert.Equal((batch, nCtx, lr), (settings.GetProperty("batch_size").GetInt32(), settings.GetProperty("n_ctx").GetInt32(), settings.GetProperty("lr").GetDouble()));
    }

    [Fact]
    public void An_unknown_learner_fails_with_exit_code_2()
    {
        var (code, _, stderr) = Cli.Run("suspects", "--model", "builtin", "--dataset", "builtin:shape?train=2&test=1", "--shots", "2",
            "--learner", "vit", "--out", Path.Combine(Path.GetTempPath(), "dspt-suspects-unknown-learner"));
        Assert.Equal(2, code);
        Assert.Contains("unknown learner 'vit'", stderr);
    }

    [Theory]
    [InlineData("--folds", "1", "expected at least 2")]
    [InlineData("--rank-by", "loss", "--rank-by 'loss': expected one of self_confidence")]
    [InlineData("--shots", "some", "--shots some: expected a number of images per class")]
    [InlineData("--references", "both", "--references both: expected all, zero-shot or none")]
    public void Bad_requests_fail_with_exit_code_2(string option, string value, string message)
    {
        using var dir = Repo.Temp();
        var data = TinyDataset.Write(dir["data"], trainPerClass: 3, testPerClass: 1);
        var (code, _, stderr) = Cli.Run(Args(data, dir, dir["out"], option, value));
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
