using TorchSharp;
using static TorchSharp.torch;

namespace Dspt;

/// <summary>
/// Scalars that native code can rely on (docs/native-scalars.md). TorchSharp 0.107 turns a number
/// into a temporary <see cref="Scalar"/>, hands LibTorch only its handle and keeps no reference,
/// so its finalizer can free it mid-call ("Unknown scalar type" crashed long training runs). The
/// fields here live for the whole process and are never finalized; values known only at run time
/// go into a <c>using var s = value.ToScalar();</c> in the method that makes the native calls.
/// </summary>
public static class NativeScalars
{
    /// <summary>The alpha TorchSharp's <c>add(Tensor)</c> and <c>tensor + tensor</c> pass (an int 1), kept alive.</summary>
    public static readonly Scalar One = 1;

    /// <summary>An int 0 (arange's start).</summary>
    public static readonly Scalar Zero = 0;

    /// <summary>An int 2 (halving, squaring).</summary>
    public static readonly Scalar Two = 2;

    /// <summary><c>arange(n)</c> (int64) with kept Scalars.</summary>
    public static Tensor Range(long n, Device device)
    {
        using var stop = n.ToScalar();
        return arange(Zero, stop, One, device: device);
    }

    /// <summary><c>a + b</c> exactly as TorchSharp computes it, with a Scalar that stays alive.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>value - t</c> exactly as TorchSharp's operator computes it (<c>-t + value</c>).</summary>
    public static Tensor SubtractedFrom(this Tensor t, Scalar value) => t.negative().add(value, One);
}
