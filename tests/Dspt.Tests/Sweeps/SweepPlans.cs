namespace Dspt.Tests.Sweeps;

/// <summary>Small plans on the built-in world for the sweep tests (a few seconds per process).</summary>
public static class SweepPlans
{
    /// <summary>2 noise settings x 2 methods x 2 seeds = 8 runs of 2 epochs on 2 shots, 10 test images per class, test accuracy in the last epoch's metrics.</summary>
    public const string Tiny = """
        name: tiny
        datasets: ["builtin:shape?test=10"]
        models: [builtin]
        shots: 2
        noise: [none, sym:0.5]
        methods:
          - ce
          - name: dspt
            loss: dspt
            lr: 0.01
        seeds: [1, 2]
        train:
          epochs: 2
          views: 0
          eval_test_every: 2
        """;

    public static string Write(TempDir dir, string text = Tiny, string name = "plan.yaml")
    {
        string path = dir[name];
        File.WriteAllText(path, text);
        return path;
    }
}
