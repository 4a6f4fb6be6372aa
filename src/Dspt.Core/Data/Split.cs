namespace Dspt.Data;

/// <summary>Where a listed image goes. <see cref="Pool"/>: not fixed by the source; split later
/// by <see cref="DatasetOptions.SplitRatios"/>.</summary>
internal enum Split { Train, Val, Test, Pool }
