using System.Text;
using Dspt.IO;
using static TorchSharp.torch;

namespace Dspt.Tests.IO;

public class SafetensorsTests
{
    [Fact]
    public void ReadsFixtureWithF16AndI64AndScalars()
    {
        var t = Safetensors.Load(Repo.Fixture("clip-models", "rn-tiny", "weights.openai.safetensors"));
        Assert.Equal(ScalarType.Float16, t["logit_scale"].dtype);
        Assert.Empty(t["logit_scale"].shape);
        Assert.Equal(2.66015625f, t["logit_scale"].to(ScalarType.Float32).item<float>());
        Assert.Equal(ScalarType.Int64, t["visual.bn1.num_batches_tracked"].dtype);
        Assert.Equal(1L, t["visual.bn1.num_batches_tracked"].item<long>());
        Assert.Equal(new long[] { 49408, 128 }, t["token_embedding.weight"].shape);
    }

    [Fact]
    public void RoundTripsEveryDtypeBitExactly()
    {
        using var dir = Repo.Temp();
        var src = new Dictionary<string, Tensor>
        {
            ["f32"] = randn(3, 4),
            ["f16"] = randn(5).to(ScalarType.Float16),
            ["bf16"] = randn(2, 2).to(ScalarType.BFloat16),
            ["i64"] = arange(7L),
            ["scalar"] = tensor(3.5f),
            ["empty"] = zeros(0, 3),
        };
        Safetensors.Save(dir["a.safetensors"], src, new Dictionary<string, string> { ["k"] = "v" });
        var back = Safetensors.Load(dir["a.safetensors"], out var meta);
        Assert.Equal("v", meta["k"]);
        foreach (var (k, v) in src)
        {
            Assert.Equal(v.dtype, back[k].dtype);
            Assert.Equal(v.shape, back[k].shape);
            Assert.True(v.equal(back[k]).all().item<bool>(), k);
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    static string WriteRaw(TempDir dir, string header, int dataBytes, ulong? lengthOverride = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), lengthOverride ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        var p = dir["bad.safetensors"];
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", 8, "not valid JSON")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}""", 8, "run past the end")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "need 12")]
    [InlineData("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8, "unsupported dtype 'Q4'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "hole")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "shape[0]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2]}}""", 8, "data_offsets")]
    [InlineData("""[1,2]""", 0, "JSON object")]
    public void RejectsMalformedHeadersNamingFileAndField(string header, int dataBytes, string expected)
    {
        using var dir = Repo.Temp();
        var p = WriteRaw(dir, header, dataBytes);
        var e = Assert.Throws<InvalidInputException>(() => Safetensors.Load(p));
        Assert.Contains(p, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RejectsHeaderLengthBeyondLimitOrFile()
    {
        using var dir = Repo.Temp();
        var e1 = Assert.Throws<InvalidInputException>(() => Safetensors.Load(WriteRaw(dir, "{}", 0, ulong.MaxValue)));
        Assert.Contains("exceeds the limit", e1.Message);
        var e2 = Assert.Throws<InvalidInputException>(() => Safetensors.Load(WriteRaw(dir, "{}", 0, 1000)));
        Assert.Contains("past the end of the file", e2.Message);
    }
}
