using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dspt.Prompting;

namespace Dspt.Runs;

/// <summary>The machine a run was computed on.</summary>
public sealed record MachineInfo(string Os, string Runtime, string Architecture, int ProcessorCount, int TorchThreads, string Device)
{
    public static MachineInfo Current(string device) => new(
        RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount, TorchSharp.torch.get_num_threads(), device);
}

/// <summary>
/// manifest.json of a run folder: what was run (<see cref="Spec"/>), on which model file and
/// which drawn split (their sha256; the model also by the hash of its tensors), with which software on which machine.
/// <see cref="Fingerprint"/> hashes what decides the result; a checkpoint only resumes a run
/// with the same fingerprint.
/// </summary>
public sealed record RunManifest(
    RunSpec Spec,
    string ModelSha256,
    string ModelArchitecture,
    string DataSha256,
    string DsptVersion,
    string TorchSharpVersion,
    MachineInfo Machine,
    DateTime CreatedUtc)
{
    public const string FormatTag = "dspt-run-v1";

    public string Format { get; init; } = FormatTag;

    /// <summary>
    /// The hash of the model's tensors (<see cref="IO.TensorHash"/>), so the same weights in another
    /// file format resume the run; null in manifests written before it was recorded (those need the
    /// same file, <see cref="ModelSha256"/>). Not part of the fingerprint.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ModelTensorsSha256 { get; init; }

    /// <summary>
    /// How the run was asked for: the command, its config file and every option's resolved value
    /// (the CLI's record; null from code, and absent from older manifests). Not part of the fingerprint.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Invocation { get; init; }

    public string Fingerprint => ComputeFingerprint(Spec, ModelSha256, DataSha256);

    public static string ComputeFingerprint(RunSpec spec, string modelSha256, string dataSha256) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(new { spec = spec.WithoutComputeSettings(), modelSha256, dataSha256 }, Json))))[..16];

    public static string Version(Assembly assembly) => Dspt.DsptVersion.Of(assembly);

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new PromptLayoutJson<RunSpec>("prompt") },
    };
}
