using System.Collections;

namespace Dspt.IO;

/// <summary>
/// A Python <c>dict</c> or <c>collections.OrderedDict</c> as read from, or written to, a pickle.
/// Entries keep their insertion order (a state dict's order is the module's). Keys are what
/// Python allows in checkpoints: <see cref="string"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/> or tuples (<c>object?[]</c>, compared element by element).
/// </summary>
public sealed class PickleDict : OrderedDictionary<object, object?>
{
    public PickleDict() : base(StructuralKeyComparer.Instance) { }

    /// <summary>True for <c>collections.OrderedDict</c> (what <c>Module.state_dict()</c> returns).</summary>
    public bool IsOrderedDict { get; init; }

    /// <summary>Instance attributes that the pickle set with BUILD, e.g. a state dict's <c>_metadata</c>.</summary>
    public PickleDict? Attributes { get; set; }

    sealed class StructuralKeyComparer : IEqualityComparer<object>
    {
        public static readonly StructuralKeyComparer Instance = new();
        public new bool Equals(object? x, object? y) => StructuralComparisons.StructuralEqualityComparer.Equals(x, y);
        public int GetHashCode(object obj) => StructuralComparisons.StructuralEqualityComparer.GetHashCode(obj);
    }
}
