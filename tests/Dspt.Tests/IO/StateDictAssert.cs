using static TorchSharp.torch;

namespace Dspt.Tests.IO;

/// <summary>Exact comparison of state dicts: same names, shapes, dtype and bit-equal values.</summary>
public static class StateDictAssert
{
    /// <param name="dtype">The dtype every floating tensor of <paramref name="actual"/> must have;
    /// null: the same dtype as in <paramref name="expected"/>. Integer tensors always keep theirs.</param>
    public static void Identical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual, ScalarType? dtype = null)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.True(e.shape.SequenceEqual(a.shape), $"{name}: shape [{string.Join(",", a.shape)}], expected [{string.Join(",", e.shape)}]");
            var expectedType = dtype is { } d && e.is_floating_point() ? d : e.dtype;
            Assert.True(a.dtype == expectedType, $"{name}: dtype {a.dtype}, expected {expectedType}");
            // Widening F16/F32 -> F64 is exact, so equality in float64 is equality of the stored numbers.
            using var ed = e.to(ScalarType.Float64);
            using var ad = a.to(ScalarType.Float64);
            Assert.True(Same(ed, ad), $"{name}: values differ (max |diff| {(ed - ad).abs().max().item<double>()})");
        }
    }

    /// <summary>Same shape and element-wise equal (TorchSharp's Tensor.equal is element-wise).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }

    public static void DisposeAll(this IReadOnlyDictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }
}

/// <summary>vit-tiny's reference weights (F16, OpenAI names), loaded once per test class.</summary>
public sealed class VitTinyWeights : IDisposable
{
    public static string Dir => Repo.Fixture("clip-models", "vit-tiny");
    public static string File(string name) => Path.Combine(Dir, name);

    public Dictionary<string, Tensor> F16 { get; } = Dspt.IO.Safetensors.Load(File("weights.openai.safetensors"));

    public void Dispose() => F16.DisposeAll();
}
