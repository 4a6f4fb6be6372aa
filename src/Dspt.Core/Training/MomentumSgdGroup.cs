using TorchSharp.Modules;

namespace Dspt.Training;

/// <summary>
/// One parameter group of <see cref="MomentumSgd"/>: a momentum buffer per tensor and one
/// learning rate, as Dassl's SGD over the prompt learner's parameters.
/// </summary>
public sealed class MomentumSgdGroup(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay) : IDisposable
{
    public IReadOnlyList<MomentumSgd> Members { get; } = [.. parameters.Select(p => new MomentumSgd(p, learningRate, momentum, weightDecay))];

    public double LearningRate
    {
        get => Members[0].LearningRate;
        set { foreach (var m in Members) m.LearningRate = value; }
    }

    public void ZeroGrad()
    {
        foreach (var m in Members) m.ZeroGrad();
    }

    public void Step()
    {
        foreach (var m in Members) m.Step();
    }

    public void Dispose()
    {
        foreach (var m in Members) m.Dispose();
    }
}
