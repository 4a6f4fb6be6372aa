using Dspt.Data;

namespace Dspt.Tests.Data;

/// <summary>Every bad-input case of the issue: each is a clear error naming the file and entry,
/// or, where a user would expect it, a warning with the count of skipped items.</summary>
public class BadInputTests
{
    static string Pets(TempDir tmp) =>
        DataFixtures.Coop(tmp.Path, "OxfordPets", "oxford_pets", "images", ["a", "b"], [(3, 1, 1), (3, 1, 1)]);

    static string SplitFile(string dir) => Path.Combine(dir, "split_zhou_OxfordPets.json");

    static void Edit(string dir, Action<Dictionary<string, List<object[]>>> edit)
    {
        var split = DataFixtures.ReadSplit(SplitFile(dir));
        edit(split);
        DataFixtures.WriteSplit(SplitFile(dir), split);
    }

    static InvalidInputException Fails(string path, DatasetOptions? options = null) =>
        Assert.Throws<InvalidInputException>(() => DatasetReader.Read(path, options: options));

    [Theory]
    [InlineData("../../secret.jpg")]
    [InlineData("a/../../../secret.jpg")]
    [InlineData("/etc/passwd")]
    public void Entry_outside_the_root_is_an_error(string entry)
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        DataFixtures.Image(Path.Combine(tmp.Path, "secret.jpg"), 0);
        Edit(dir, s => s["train"][1][0] = entry);
        var e = Fails(dir);
        Assert.Contains("split_zhou_OxfordPets.json: train[1]", e.Message);
        Assert.Contains("outside the dataset root", e.Message);
    }

    [Fact]
    public void Dotdot_that_stays_inside_the_root_is_accepted_and_normalised()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        Edit(dir, s => s["train"][1][0] = "b/../a/a_001.jpg");
        var d = DatasetReader.Read(dir);
        Assert.Equal("images/a/a_001.jpg", d.Train[1].Path);
    }

    [Fact]
    public void Symlinks_that_leave_the_root_are_refused_and_inner_ones_allowed()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        string outside = Path.Combine(tmp.Path, "outside");
        DataFixtures.Image(Path.Combine(outside, "x.jpg"), 0);

        // A file link pointing out.
        File.CreateSymbolicLink(Path.Combine(dir, "images", "a", "evil.jpg"), Path.Combine(outside, "x.jpg"));
        Edit(dir, s => s["train"][0][0] = "a/evil.jpg");
        Assert.Contains("outside the dataset root", Fails(dir).Message);

        // A folder link pointing out (relative target).
        Directory.CreateSymbolicLink(Path.Combine(dir, "images", "out"), "../../outside");
        Edit(dir, s => s["train"][0][0] = "out/x.jpg");
        Assert.Contains("outside the dataset root", Fails(dir).Message);

        // A link whose target stays inside the root is fine.
        File.CreateSymbolicLink(Path.Combine(dir, "images", "a", "alias.jpg"), "a_002.jpg");
        Edit(dir, s => s["train"][0][0] = "a/alias.jpg");
        Assert.Equal("images/a/alias.jpg", DatasetReader.Read(dir).Train[0].Path);
    }

    [Fact]
    public void Image_folder_linked_out_of_the_root_is_refused()
    {
        using var tmp = Repo.Temp();
        string real = DataFixtures.Folder(Path.Combine(tmp.Path, "real"), ["x"], [4]);
        string root = Path.Combine(tmp.Path, "data");
        DataFixtures.Folder(root, ["y"], [4]);
        Directory.CreateSymbolicLink(Path.Combine(root, "x"), Path.Combine(real, "x"));
        Assert.Contains("leaves the dataset root", Fails(root).Message);
    }

    [Fact]
    public void Missing_file_is_an_error_or_with_skip_bad_a_warning_with_the_count()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        File.Delete(Path.Combine(dir, "images", "a", "a_000.jpg"));
        File.Delete(Path.Combine(dir, "images", "b", "b_004.jpg"));
        var e = Fails(dir);
        Assert.Contains("2 listed image(s) not found", e.Message);
        Assert.Contains("train[0] 'a/a_000.jpg'", e.Message);
        Assert.Contains("--skip-bad", e.Message);

        var warnings = new List<string>();
        var d = DatasetReader.Read(dir, options: new DatasetOptions { SkipBad = true }, warn: warnings.Add);
        Assert.Equal(5, d.Train.Count);
        Assert.Equal(0, Assert.Single(d.Test).Label);
        Assert.Contains(warnings, w => w.Contains("skipped 2 listed image(s) not found"));
    }

    [Fact]
    public void Label_out_of_range_is_an_error()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        Edit(dir, s => s["test"][0][1] = 2);
        var e = Fails(dir);
        Assert.Contains("test[0]: label 2 is out of range", e.Message);
        Assert.Contains("2 classes (0..1)", e.Message);

        Edit(dir, s => s["test"][0][1] = -1);
        Assert.Contains("test[0]: label -1 is out of range", Fails(dir).Message);

        Edit(dir, s => s["test"][0][1] = "one");
        Assert.Contains("test[0]: label \"one\" is out of range", Fails(dir).Message);
    }

    [Fact]
    public void Label_inconsistent_with_its_class_name_is_an_error()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        Edit(dir, s => s["val"][1][2] = "a");
        var e = Fails(dir);
        Assert.Contains("val[1]: label 1 is named 'a' but train[3] names it 'b'", e.Message);
    }

    [Fact]
    public void Class_with_no_images_is_an_error()
    {
        using var tmp = Repo.Temp();
        string dir = DataFixtures.Coop(tmp.Path, "OxfordPets", "oxford_pets", "images", ["a", "b", "c"], [(2, 1, 1), (0, 1, 1), (2, 1, 1)]);
        Assert.Contains("class 1 'b' has no training images", Fails(dir).Message);

        string folder = DataFixtures.Folder(Path.Combine(tmp.Path, "folder"), ["x", "y"], [4, 4]);
        Directory.CreateDirectory(Path.Combine(folder, "empty"));
        Assert.Contains("class 0 'empty' has no training images", Fails(folder).Message);
    }

    [Fact]
    public void Unreadable_image_is_found_by_verify_and_skipped_only_on_request()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        File.WriteAllBytes(Path.Combine(dir, "images", "a", "a_001.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        Assert.Equal(6, DatasetReader.Read(dir).Train.Count); // not decoded by default: reading stays fast

        var e = Fails(dir, new DatasetOptions { VerifyImages = true });
        Assert.Contains("1 unreadable image(s) in train", e.Message);
        Assert.Contains("images/a/a_001.jpg", e.Message);

        var warnings = new List<string>();
        var d = DatasetReader.Read(dir, options: new DatasetOptions { VerifyImages = true, SkipBad = true }, warn: warnings.Add);
        Assert.Equal(5, d.Train.Count);
        Assert.DoesNotContain(d.Train, i => i.Path.EndsWith("a_001.jpg"));
        Assert.Contains(warnings, w => w.Contains("skipped 1 unreadable image(s) in train"));
    }

    [Fact]
    public void Duplicate_entries_are_skipped_with_a_count_unless_they_conflict()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        Edit(dir, s => { s["train"].Add(s["train"][0]); s["train"].Add(s["train"][4]); });
        var warnings = new List<string>();
        Assert.Equal(6, DatasetReader.Read(dir, warn: warnings.Add).Train.Count);
        Assert.Contains(warnings, w => w.Contains("skipped 2 duplicate entries in train"));

        Edit(dir, s => s["train"].Add(["a/a_000.jpg", 1, "b"]));
        Assert.Contains("is listed twice with labels 0 (train[0]) and 1", Fails(dir).Message);

        DataFixtures.Coop(tmp.Path, "OxfordPets", "oxford_pets", "images", ["a", "b"], [(3, 1, 1), (3, 1, 1)]);
        Edit(dir, s => s["test"].Add(s["train"][0]));
        Assert.Contains("is also listed in train (train[0]); an image must be in one split only", Fails(dir).Message);
    }

    [Fact]
    public void Malformed_split_files_are_errors_that_name_the_file()
    {
        using var tmp = Repo.Temp();
        string dir = Pets(tmp);
        File.WriteAllText(SplitFile(dir), "{\"train\": [");
        Assert.Contains("split_zhou_OxfordPets.json: not valid JSON", Fails(dir).Message);
        File.WriteAllText(SplitFile(dir), "{\"train\": [], \"val\": []}");
        Assert.Contains("\"test\" is missing", Fails(dir).Message);
        File.WriteAllText(SplitFile(dir), "{\"train\": [[\"a/a_000.jpg\", 0]], \"val\": [], \"test\": []}");
        Assert.Contains("train[0]: expected [relative_path, label, classname]", Fails(dir).Message);
    }

    [Theory]
    [InlineData("sym:1")]
    [InlineData("sym:1.5")]
    [InlineData("asym:-0.1")]
    [InlineData("sym:NaN")]
    [InlineData("sym:100%")]
    [InlineData("sym:abc")]
    [InlineData("symflip:-1")]
    [InlineData("gaussian:0.1")]
    public void Noise_rates_outside_0_1_and_bad_specs_are_errors(string text)
    {
        var e = Assert.Throws<InvalidInputException>(() => NoiseSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void K_larger_than_a_class_warns_or_fails_when_strict()
    {
        var d = DataFixtures.Synthetic(3, 5) with { };
        d = d with { Train = d.Train.Where(i => i.Label != 1 || i.Path.EndsWith("/0") || i.Path.EndsWith("/1")).ToList() };
        var warnings = new List<string>();
        var split = FewShot.Draw(d, 4, NoiseSpec.Clean, 1, warnings.Add);
        Assert.Equal(4 + 2 + 4, split.Train.Count);
        Assert.Contains(warnings, w => w.Contains("K = 4 is more than 1 class(es) have (e.g. class 1 has 2)"));
        var e = Assert.Throws<InvalidInputException>(() => FewShot.Draw(d, 4, NoiseSpec.Clean, 1, strict: true));
        Assert.Contains("strict", e.Message);
    }
}
