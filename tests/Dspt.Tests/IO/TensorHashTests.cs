using System.Security.Cryptography;
using System.Text;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.IO;

/// <summary>A model is identified by its tensors, not its file: the fixture CLIP in every format it ships in is one model.</summary>
public class TensorHashTests
{
    static string VitTiny(string file) => Repo.Fixture("clip-models", "vit-tiny", file);

    [Fact]
    public void The_fixture_clip_in_four_file_formats_has_one_tensor_hash_and_four_file_hashes()
    {
        // weights.openai.safetensors and model.jit.pt hold F16, model.state_dict.pt F32 of the same
        // (F16-exact) values, hf/ Hugging Face names and split q/k/v; the jit archive carries extra scalars.
        string[] files = ["weights.openai.safetensors", "model.state_dict.pt", "model.jit.pt", "hf"];
        var infos = files.Select(f =>
        {
            var sd = CheckpointLoader.LoadStateDict(VitTiny(f), out var info);
            foreach (var t in sd.Values) t.Dispose();
            return info;
        }).ToList();
        Assert.Single(infos.Select(i => i.TensorsSha256).Distinct());
        Assert.Equal(64, infos[0].TensorsSha256.Length);
        Assert.Equal(files.Length, infos.Select(i => i.Sha256).Distinct().Count());
        Assert.All(infos, i => Assert.NotEqual(i.Sha256, i.TensorsSha256));
        Assert.True(infos[1].Matches("not-the-file", infos[0].TensorsSha256));
        Assert.False(infos[1].Matches(infos[0].Sha256, null));   // an old record (file hash only) needs the same file
        Assert.True(infos[0].Matches(infos[0].Sha256, null));

        // dspt info shows both.
        using var json = System.Text.Json.JsonDocument.Parse(Cli.Ok("info", VitTiny("weights.openai.safetensors"), "--json"));
        Assert.Equal(infos[0].TensorsSha256, json.RootElement.GetProperty("tensors_sha256").GetString());
        Assert.Equal(infos[0].Sha256, json.RootElement.GetProperty("sha256").GetString());
    }

    [Fact]
    public void Another_model_has_another_tensor_hash()
    {
        var a = CheckpointLoader.LoadStateDict(VitTiny("weights.openai.safetensors"), out var vit);
        var b = CheckpointLoader.LoadStateDict(Repo.Fixture("clip-models", "rn-tiny", "weights.openai.safetensors"), out var rn);
        foreach (var t in a.Values.Concat(b.Values)) t.Dispose();
        Assert.NotEqual(vit.TensorsSha256, rn.TensorsSha256);
        Assert.False(rn.Matches(vit.Sha256, vit.TensorsSha256));
    }

    /// <summary>The canonical form written out by hand: per tensor in ordinal name order, length-prefixed name, kind, rank, dims, values.</summary>
    [Fact]
    public void The_hash_is_sha256_of_the_documented_canonical_form()
    {
        using var w = tensor(new float[] { 1.5f, -2f, 0.25f }, dtype: ScalarType.Float16);
        using var b = tensor(new long[] { 7 });
        var expected = new MemoryStream();
        var writer = new BinaryWriter(expected);
        void Text(string s) { var bytes = Encoding.UTF8.GetBytes(s); writer.Write((long)bytes.Length); writer.Write(bytes); }
        Text("a.bias"); Text("Int64"); writer.Write(1L); writer.Write(1L); writer.Write(7L);
        Text("b.weight"); Text("Float32"); writer.Write(1L); writer.Write(3L); writer.Write(1.5f); writer.Write(-2f); writer.Write(0.25f);
        writer.Flush();
        string hash = TensorHash.Of(new Dictionary<string, Tensor> { ["b.weight"] = w, ["a.bias"] = b, ["vocab_size"] = b }, ["vocab_size"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected.ToArray())), hash);
    }

    [Fact]
    public void A_value_a_name_a_shape_or_an_integer_dtype_changes_the_hash()
    {
        using var x = arange(6, dtype: ScalarType.Float32);
        string H(string name, Tensor t) => TensorHash.Of(new Dictionary<string, Tensor> { [name] = t });
        string baseline = H("w", x);
        using var changed = x.clone();
        changed[5] = tensor(5.0001f);
        using var reshaped = x.reshape(2, 3);
        using var asInt = x.to(ScalarType.Int64);
        using var asDouble = x.to(ScalarType.Float64);
        using var inexactDouble = asDouble + 1e-12;
        Assert.NotEqual(baseline, H("w", changed));
        Assert.NotEqual(baseline, H("v", x));
        Assert.NotEqual(baseline, H("w", reshaped));
        Assert.NotEqual(baseline, H("w", asInt));
        Assert.Equal(baseline, H("w", asDouble));            // float32-exact doubles are the same numbers
        Assert.NotEqual(baseline, H("w", inexactDouble));    // others keep their precision
    }
}
