using System.Text.Json;
using Dspt.Data;

namespace Dspt.Tests.Data;

/// <summary>
/// The base/new split against shared/fixtures/prompt-learners/base2new.json: CoOp's own
/// subsample_classes run on Dassl Datum objects (odd and even class counts, a label missing
/// from train, a single class). Exact: items, their order, new labels and class names.
/// </summary>
public class ClassSubsetTests
{
    static JsonElement Scenarios() =>
        JsonDocument.Parse(File.ReadAllText(Repo.Fixture("prompt-learners", "base2new.json"))).RootElement.GetProperty("scenarios");

    public static TheoryData<string, string> ScenariosAndSelections
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var s in Scenarios().EnumerateArray())
                foreach (var sel in new[] { "all", "base", "new" }) data.Add(s.GetProperty("name").GetString()!, sel);
            return data;
        }
    }

    static IReadOnlyList<DataItem> Items(JsonElement list) =>
        [.. list.EnumerateArray().Select(e => new DataItem(e[0].GetString()!, e[1].GetInt32()))];

    [Theory]
    [MemberData(nameof(ScenariosAndSelections))]
    public void SelectsAsCoOpsSubsampleClasses(string scenario, string selection)
    {
        var s = Scenarios().EnumerateArray().Single(e => e.GetProperty("name").GetString() == scenario);
        var input = s.GetProperty("input");
        var dataset = new Dataset(scenario, "/data", [.. s.GetProperty("classnames_by_label").EnumerateArray().Select(e => e.GetString()!)],
            "a photo of a {}.", Items(input.GetProperty("train")), Items(input.GetProperty("val")), Items(input.GetProperty("test")));
        var expected = s.GetProperty("subsample").GetProperty(selection);
        var sel = ClassSubset.Parse(selection);
        if (expected.GetProperty("train").GetArrayLength() == 0)
        {
            // CoOp would go on with empty splits and fail later; we say why at once.
            var e = Assert.Throws<InvalidInputException>(() => ClassSubset.Select(dataset, sel));
            Assert.Contains($"--subsample {selection}", e.Message);
            return;
        }
        var result = ClassSubset.Select(dataset, sel);
        Assert.Equal(Items(expected.GetProperty("train")), result.Train);
        Assert.Equal(Items(expected.GetProperty("val")), result.Val);
        Assert.Equal(Items(expected.GetProperty("test")), result.Test);
        var mapping = expected.GetProperty("original_label_to_new_label").EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name), p => p.Value.GetInt32());
        var labels = ClassSubset.Labels(dataset, sel);
        Assert.Equal(mapping.OrderBy(p => p.Value).Select(p => p.Key), labels);
        if (sel != ClassSelection.All)
        {
            // The fixture's items carry their names: the relabelled class names must agree with them.
            var names = expected.GetProperty("train").EnumerateArray().Concat(expected.GetProperty("test").EnumerateArray())
                .Select(e => (Label: e[1].GetInt32(), Name: e[2].GetString()!));
            foreach (var (label, name) in names) Assert.Equal(name, result.ClassNames[label]);
            Assert.Equal([.. expected.GetProperty("DatasetBase").GetProperty("classnames").EnumerateArray().Select(e => e.GetString()!)], result.ClassNames);
        }
        else Assert.Same(dataset, result);
    }

    [Fact]
    public void OddCountsGiveTheBaseHalfTheExtraClass()
    {
        var s = Scenarios().EnumerateArray().Single(e => e.GetProperty("name").GetString() == "odd_11");
        Assert.Equal(6, s.GetProperty("m_base").GetInt32());
        var dataset = new Dataset("d", "/data", [.. Enumerable.Range(0, 11).Select(i => $"c{i}")], "{}",
            [.. Enumerable.Range(0, 11).Select(i => new DataItem($"{i}", i))], [], []);
        Assert.Equal(6, ClassSubset.Select(dataset, ClassSelection.Base).NumClasses);
        Assert.Equal(5, ClassSubset.Select(dataset, ClassSelection.New).NumClasses);
    }

    [Fact]
    public void RejectsAnUnknownSelection() =>
        Assert.Contains("expected one of all, base, new", Assert.Throws<InvalidInputException>(() => ClassSubset.Parse("novel")).Message);
}
