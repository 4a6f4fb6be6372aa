using System.Text.Json;
using SkiaSharp;

namespace Dspt.Tests.Data;

/// <summary>Builds small datasets in each layout with real (tiny) PNG/JPEG files.</summary>
public static class DataFixtures
{
    /// <summary>A solid colour per class, so a contact sheet can be checked pixel by pixel.</summary>
    public static SKColor ColorOf(int label) =>
        new((byte)(40 + 97 * label % 200), (byte)(200 - 53 * label % 180), (byte)(30 + 71 * label % 220));

    public static void Image(string path, int label, int width = 12, int height = 10)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(ColorOf(label));
        bool jpeg = path.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase);
        using var data = bitmap.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>CoOp layout: &lt;root&gt;/&lt;folder&gt;/&lt;imageDir&gt;/&lt;class&gt;/&lt;n&gt;.jpg and split_zhou_&lt;name&gt;.json.
    /// counts[c] = (train, val, test) of class c. Returns the dataset folder.</summary>
    public static string Coop(string root, string name, string folder, string imageDir, IReadOnlyList<string> rawNames,
        IReadOnlyList<(int Train, int Val, int Test)> counts)
    {
        string dir = Path.Combine(root, folder);
        var split = new Dictionary<string, List<object[]>> { ["train"] = [], ["val"] = [], ["test"] = [] };
        for (int c = 0; c < rawNames.Count; c++)
        {
            int k = 0;
            foreach (var (key, n) in new[] { ("train", counts[c].Train), ("val", counts[c].Val), ("test", counts[c].Test) })
                for (int i = 0; i < n; i++, k++)
                {
                    string rel = $"{rawNames[c]}/{rawNames[c]}_{k:D3}.jpg";
                    Image(Path.Combine(dir, imageDir, rel), c);
                    split[key].Add([rel, c, rawNames[c]]);
                }
        }
        WriteSplit(Path.Combine(dir, $"split_zhou_{name}.json"), split);
        return dir;
    }

    public static void WriteSplit(string path, Dictionary<string, List<object[]>> split) =>
        File.WriteAllText(path, JsonSerializer.Serialize(split));

    public static Dictionary<string, List<object[]>> ReadSplit(string path) =>
        JsonSerializer.Deserialize<Dictionary<string, List<JsonElement[]>>>(File.ReadAllText(path))!
            .ToDictionary(p => p.Key, p => p.Value.Select(e => new object[]
            {
                e[0].ValueKind == JsonValueKind.String ? e[0].GetString()! : e[0].GetRawText(),
                e[1].ValueKind == JsonValueKind.Number ? e[1].GetInt32() : e[1].GetRawText(),
                e[2].GetString()!,
            }).ToList());

    /// <summary>root/&lt;class&gt;/img&lt;i&gt;.png (every third a JPEG).</summary>
    public static string Folder(string dir, IReadOnlyList<string> classes, IReadOnlyList<int> counts)
    {
        for (int c = 0; c < classes.Count; c++)
            for (int i = 0; i < counts[c]; i++)
                Image(Path.Combine(dir, classes[c], $"img{i:D3}{(i % 3 == 2 ? ".jpg" : ".png")}"), c);
        return dir;
    }

    /// <summary>A uniform in-memory dataset (virtual paths) for sampling and noise tests.</summary>
    public static Dspt.Data.Dataset Synthetic(int numClasses, int trainPerClass, int valPerClass = 5, int testPerClass = 3)
    {
        List<Dspt.Data.DataItem> Items(string split, int n) =>
            Enumerable.Range(0, numClasses).SelectMany(c => Enumerable.Range(0, n).Select(i => new Dspt.Data.DataItem($"{split}/c{c}/{i}", c))).ToList();
        return new Dspt.Data.Dataset("synthetic", "/nonexistent", Enumerable.Range(0, numClasses).Select(c => $"class {c}").ToList(),
            "a photo of a {}.", Items("train", trainPerClass), Items("val", valPerClass), Items("test", testPerClass));
    }
}
