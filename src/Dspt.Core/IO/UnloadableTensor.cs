namespace Dspt.IO;

/// <summary>A tensor whose element type Dspt cannot hold (quantized, float8, uint16..64, ...).
/// <see cref="TorchPickle.LoadStateDict"/> reports it by name instead of guessing at its bytes.</summary>
public sealed record UnloadableTensor(string DType, long[] Shape);
