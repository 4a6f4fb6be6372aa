namespace Dspt.Reporting;

/// <summary>One training run's outcome: which loss, which noise setting, which seed, the test top-1 (%).</summary>
public sealed record RunResult(string Method, string NoiseType, double NoiseRate, int Seed, double Accuracy);

/// <summary>Mean and sample standard deviation over seeds.</summary>
public sealed record Summary(double Mean, double Std, int Count)
{
    public static Summary Of(IReadOnlyCollection<double> values)
    {
        double mean = values.Average();
        double std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new Summary(mean, std, values.Count);
    }

    public override string ToString() => Count > 1 ? $"{Mean:F1} ± {Std:F1}" : $"{Mean:F1}";
}

/// <summary>A noise setting as a column: "sym 25%" etc.</summary>
public sealed record NoiseSetting(string Type, double Rate)
{
    public string Label => Type == "none" || Rate == 0 ? "0%" : $"{(Type == "sym" ? "" : Type + " ")}{Rate * 100:0.#}%";
}
