using Dspt.Features;
using static TorchSharp.torch;

namespace Dspt.Suspects;

/// <summary>The samples <c>members</c> of a feature set, renumbered 0..M-1 (one fold's training set).</summary>
public sealed class SubsetFeatures(ITrainingFeatures all, IReadOnlyList<int> members) : ITrainingFeatures
{
    public int Count => members.Count;
    public int Views => all.Views;

    public Tensor Gather(IReadOnlyList<int> indices, IReadOnlyList<int> views, Device device) =>
        all.Gather([.. indices.Select(i => members[i])], views, device);
}
