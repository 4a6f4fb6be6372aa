using Dspt.Evaluation;
using Dspt.Reporting;
using static TorchSharp.torch;

namespace Dspt.Tests.Evaluation;

public class EvaluatorTests
{
    static readonly string[] Names = ["cat", "dog, big", "fox|red"];

    [Fact]
    public void CountsByHand()
    {
        // truth:     0 0 0 1 1 2 2 2
        // predicted: 0 1 0 1 1 0 2 1
        long[] labels = [0, 0, 0, 1, 1, 2, 2, 2];
        long[] predicted = [0, 1, 0, 1, 1, 0, 2, 1];
        var r = Evaluator.FromPredictions("zs", predicted, labels, Names);
        Assert.Equal((8, 5), (r.Total, r.Correct));
        Assert.Equal(100.0 * 5 / 8, r.Accuracy);
        Assert.Equal([100.0 * 2 / 3, 100.0, 100.0 / 3], r.PerClass.Select(c => c.Accuracy!.Value));
        Assert.Equal(100.0 * (2.0 / 3 + 1 + 1.0 / 3) / 3, r.MeanClassAccuracy, 10);
        Assert.Equal([[2L, 1, 0], [0L, 2, 0], [1L, 1, 1]], r.Confusion);
    }

    [Fact]
    public void LogitsUseTheRowArgmaxAndEmptyClassesAreSkipped()
    {
        using var logits = tensor(new float[,] { { 0.1f, 0.9f, 0 }, { 2, 1, 0 }, { 0, 0, 3 } });
        var r = Evaluator.FromLogits("p", logits, [1, 0, 0], Names);
        Assert.Equal(2, r.Correct);
        Assert.Null(r.PerClass[2].Accuracy);
        Assert.Equal((50.0 + 100) / 2, r.MeanClassAccuracy);
    }

    [Fact]
    public void ReportFilesAreWrittenAndEscaped()
    {
        using var dir = Repo.Temp();
        var zs = Evaluator.FromPredictions("zero-shot", [0, 1, 2], [0, 1, 1], Names);
        var learned = Evaluator.FromPredictions("prompt", [0, 1, 1], [0, 1, 1], Names);
        EvaluationReport.Write(dir.Path, "test", [zs, learned], "a note");
        var md = File.ReadAllText(dir["evaluation.md"]);
        Assert.Contains("\na note\n", md);
        Assert.Contains("| zero-shot | 3 | 66.67 | 75.00 |", md);
        Assert.Contains("| prompt | 3 | 100.00 | 100.00 |", md);
        Assert.Contains("| fox\\|red | 0 | - | - |", md);
        var csv = File.ReadAllLines(dir["confusion-zero-shot.csv"]);
        Assert.Equal("true \\ predicted,cat,\"dog, big\",fox|red", csv[0]);
        Assert.Equal("\"dog, big\",0,1,1", csv[2]);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir["evaluation.json"]));
        Assert.Equal(100.0, json.RootElement.GetProperty("results")[1].GetProperty("accuracy").GetDouble());
        Assert.Equal("prompt-dspt", EvaluationReport.FileSafe("prompt (dspt)"));
        Assert.Equal("zero-shot-CLIP", EvaluationReport.FileSafe("zero-shot CLIP"));
    }
}
