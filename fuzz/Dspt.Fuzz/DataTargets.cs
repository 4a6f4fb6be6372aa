using System.Text.Json;
using Dspt.Data;

namespace Dspt.Fuzz;

/// <summary>Targets for dataset layouts and split files: each builds a small dataset with real
/// image files once, and mutates the one file its reader parses.</summary>
public static class DataTargets
{
    static readonly string[] Classes = ["cat", "dog", "red_star"];

    /// <summary>oxford_pets/images/&lt;class&gt;/&lt;class&gt;_&lt;k&gt;.jpg and its split_zhou JSON.</summary>
    static string CoopDataset(string root, out byte[] split)
    {
        string dir = Path.Combine(root, "oxford_pets");
        var entries = new Dictionary<string, List<object[]>> { ["train"] = [], ["val"] = [], ["test"] = [] };
        int k = 0;
        for (int c = 0; c < Classes.Length; c++)
            foreach (var s in new[] { "train", "train", "val", "test" })
            {
                string rel = $"{Classes[c]}/{Classes[c]}_{k++:D3}.jpg";
                Seeds.JpegFile(Path.Combine(dir, "images", rel), k);
                entries[s].Add([rel, c, Classes[c]]);
            }
        split = JsonSerializer.SerializeToUtf8Bytes(entries);
        File.WriteAllBytes(Path.Combine(dir, "split_zhou_OxfordPets.json"), split);
        return dir;
    }

    static void Read(string path) => DatasetReader.Read(path);

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("coop-split", "CoOp split_zhou_*.json of a dataset folder",
            root => { CoopDataset(root, out var split); return [split]; },
            (root, input) =>
            {
                string dir = Path.Combine(root, "oxford_pets");
                File.WriteAllBytes(Path.Combine(dir, "split_zhou_OxfordPets.json"), input);
                Read(dir);
            });

        yield return new("imagenet-classnames", "ImageNet layout: classnames.txt (\"<wnid> <name>\" lines)",
            root =>
            {
                string dir = Path.Combine(root, "imagenet");
                for (int c = 0; c < Classes.Length; c++)
                {
                    Seeds.JpegFile(Path.Combine(dir, "images", "train", $"n0{c}", "a.jpg"), c);
                    Seeds.JpegFile(Path.Combine(dir, "images", "train", $"n0{c}", "b.jpg"), c + 10);
                    Seeds.JpegFile(Path.Combine(dir, "images", "val", $"n0{c}", "v.jpg"), c + 20);
                }
                return [Seeds.Utf8(string.Join("\n", Classes.Select((n, c) => $"n0{c} {n.Replace('_', ' ')}")) + "\n")];
            },
            (root, input) =>
            {
                string dir = Path.Combine(root, "imagenet");
                File.WriteAllBytes(Path.Combine(dir, "classnames.txt"), input);
                Read(dir);
            });

        yield return new("aircraft-lists", "FGVC-Aircraft text lists (variants.txt fixed, images_variant_train.txt mutated)",
            root =>
            {
                string dir = Path.Combine(root, "fgvc_aircraft");
                File.WriteAllText(Path.Combine(dir, "variants.txt").EnsureDir(), "707-320\nA300B4\nDC-3\n");
                string[] variants = ["707-320", "A300B4", "DC-3"];
                var lists = new Dictionary<string, List<string>> { ["train"] = [], ["val"] = [], ["test"] = [] };
                int id = 1000;
                foreach (var v in variants)
                    foreach (var s in new[] { "train", "train", "val", "test" })
                    {
                        Seeds.JpegFile(Path.Combine(dir, "images", $"{id}.jpg"), id);
                        lists[s].Add($"{id++} {v}");
                    }
                foreach (var (s, lines) in lists)
                    File.WriteAllText(Path.Combine(dir, $"images_variant_{s}.txt"), string.Join("\n", lines) + "\n");
                return [Seeds.Utf8(string.Join("\n", lists["train"]) + "\n")];
            },
            (root, input) =>
            {
                string dir = Path.Combine(root, "fgvc_aircraft");
                File.WriteAllBytes(Path.Combine(dir, "images_variant_train.txt"), input);
                Read(dir);
            });

        foreach (var ext in new[] { "csv", "jsonl" })
            yield return new($"manifest-{ext}", $"a {ext} manifest (path, label, split) with classnames.txt",
                root =>
                {
                    string dir = Path.Combine(root, "manifest");
                    var rows = new List<(string Path, int Label, string Split)>();
                    int k = 0;
                    for (int c = 0; c < Classes.Length; c++)
                        foreach (var s in new[] { "train", "train", "val", "test" })
                        {
                            string rel = $"img/{c}_{k}.jpg";
                            Seeds.JpegFile(Path.Combine(dir, rel), k++);
                            rows.Add((rel, c, s));
                        }
                    File.WriteAllText(Path.Combine(dir, "classnames.txt"), string.Join("\n", Classes) + "\n");
                    return ext == "csv"
                        ? [Seeds.Utf8("path,label,split\n" + string.Join("\n", rows.Select(r => $"{r.Path},{r.Label},{r.Split}")) + "\n"),
                           Seeds.Utf8(string.Join("\n", rows.Select(r => $"\"{r.Path}\",{Classes[r.Label]},{r.Split}")) + "\n")]
                        : [Seeds.Utf8(string.Join("\n", rows.Select(r => JsonSerializer.Serialize(new { path = r.Path, label = r.Label, split = r.Split }))) + "\n")];
                },
                (root, input) =>
                {
                    string path = Path.Combine(root, "manifest", $"manifest.{ext}");
                    File.WriteAllBytes(path, input);
                    Read(path);
                });

        yield return new("fewshot", "few-shot split files (fewshot.json: items, labels, noise report)",
            root =>
            {
                string dir = CoopDataset(root, out _);
                var split = FewShot.Draw(DatasetReader.Read(dir), 2, NoiseSpec.Parse("sym:0.5"), 1);
                return [Seeds.Written(root, "fewshot.json", p => FewShotSplitFile.Save(p, split))];
            },
            (root, input) =>
            {
                string path = Path.Combine(root, "fewshot.json");
                File.WriteAllBytes(path, input);
                FewShotSplitFile.Load(path, Path.Combine(root, "oxford_pets"));
            });
    }

    static string EnsureDir(this string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
