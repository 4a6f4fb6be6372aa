using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dspt.Data;

namespace Dspt.Sweeps;

/// <summary>
/// What decides one run of a sweep, fully resolved (CoOp's epoch count filled in, the loss and
/// noise in canonical spelling, paths relative to the plan file). Its hash is the run's
/// <see cref="PlannedRun.Id"/>; names used only for display (of dataset, model, method) are not part of it.
/// <see cref="Learner"/> (null: coop) and <see cref="Classes"/> (null: all) are left out of the
/// hashed JSON when null, so CoOp runs on all classes keep the ids they had before plans had
/// those keys (their sweeps still resume).
/// </summary>
public sealed record RunSettings(
    string Dataset,
    string? DatasetFormat,
    string? Template,
    string Model,
    string? Vocab,
    int Shots,
    string Noise,
    string Loss,
    int Seed,
    int Epochs,
    double Lr,
    int BatchSize,
    int Views,
    int NCtx,
    string? CtxInit,
    bool Csc,
    string Position,
    int EvalTestEvery,
    string Select,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Learner = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Classes = null)
{
    internal static readonly JsonSerializerOptions Canonical = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>12 hex digits of sha256 over a versioned canonical JSON of the settings.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("dspt-sweep-run-v1\n" + JsonSerializer.Serialize(this, Canonical))))[..12];
}

/// <summary>
/// One run of an expanded plan: its settings and id, the display names of its dataset, model and
/// method, and its folder under the sweep's output: <c>dataset/model/Kshot/noise/method/seedS</c>;
/// a learner other than CoOp prefixes the method (<c>cocoop-dspt</c>), a class selection other
/// than all suffixes the shots (<c>16shot-base</c>), so CoOp folders are what they were.
/// </summary>
/// <param name="LearnerName">The learner's folder name; null for CoOp.</param>
public sealed record PlannedRun(RunSettings Settings, string DatasetName, string ModelName, string MethodName, string? LearnerName = null)
{
    public string Id { get; } = Settings.Hash();

    public string Folder => string.Join('/', DatasetName, ModelName,
        Settings.Classes is { } c ? $"{Settings.Shots}shot-{c}" : $"{Settings.Shots}shot", NoiseFolder(Settings.Noise),
        LearnerName is { } l ? $"{l}-{MethodName}" : MethodName, $"seed{Settings.Seed}");

    /// <summary>"none", "sym25", "sym12.5", "asym50", "symflip4".</summary>
    public static string NoiseFolder(string noise)
    {
        var n = NoiseSpec.Parse(noise);
        return n.Type switch
        {
            NoiseSpec.None => "none",
            NoiseSpec.Sym or NoiseSpec.Asym => n.Type + (n.Rate * 100).ToString("0.###", CultureInfo.InvariantCulture),
            _ => $"{n.Type}{n.PerClass}",
        };
    }

    /// <summary>The value of one filter key (<c>--only KEY=VALUE</c>).</summary>
    public IEnumerable<string> Values(string key) => key switch
    {
        "dataset" => [DatasetName, Settings.Dataset],
        "model" => [ModelName, Settings.Model],
        "shots" => [Settings.Shots.ToString(CultureInfo.InvariantCulture)],
        "noise" => [Settings.Noise, NoiseFolder(Settings.Noise)],
        "method" => [MethodName, Settings.Loss],
        "seed" => [Settings.Seed.ToString(CultureInfo.InvariantCulture)],
        "learner" => [Settings.Learner ?? "coop", LearnerName ?? "coop"],
        "classes" => [Settings.Classes ?? "all"],
        "id" => [Id],
        _ => throw new InvalidInputException($"--only {key}=...: unknown key '{key}'; expected one of {string.Join(", ", FilterKeys)}"),
    };

    public static readonly IReadOnlyList<string> FilterKeys = ["dataset", "model", "shots", "noise", "method", "seed", "learner", "classes", "id"];
}
