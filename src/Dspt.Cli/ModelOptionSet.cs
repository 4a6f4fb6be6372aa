using System.CommandLine;
using Dspt.Clip;
using TorchSharp;

namespace Dspt.Cli;

/// <summary>
/// The options of every command that runs a CLIP model, declared once: --model, --vocab,
/// --device, --dtype, --threads.
/// </summary>
public sealed class ModelOptionSet
{
    /// <param name="withDType">false where the model is trained through (training runs in float32)</param>
    public ModelOptionSet(bool required = true, string? description = null, bool withDType = true)
    {
        Model = CommonOptions.Model(required);
        if (description is not null) Model.Description = description;
        All = withDType ? [Model, Vocab, Device, DType, Threads] : [Model, Vocab, Device, Threads];
    }

    public Option<string> Model { get; }
    public Option<string?> Vocab { get; } = CommonOptions.Vocab();
    public Option<string> Device { get; } = CommonOptions.Device();
    public Option<string> DType { get; } = CommonOptions.DType();
    public Option<int?> Threads { get; } = CommonOptions.Threads();

    public IReadOnlyList<Option> All { get; }

    public void ApplyThreads(ParseResult parse) => CommonOptions.ApplyThreads(parse, Threads);

    public torch.Device DeviceOf(ParseResult parse) => DeviceSelection.Parse(parse.GetValue(Device)!);

    public torch.ScalarType DTypeOf(ParseResult parse) => DeviceSelection.ParseDType(parse.GetValue(DType)!);

    /// <summary>The model given with --model, in the --dtype on the --device.</summary>
    public LoadedClip Load(ParseResult parse) => Load(parse, parse.GetValue(Model)!);

    public LoadedClip Load(ParseResult parse, string path) => ClipLoading.Load(path, DTypeOf(parse), DeviceOf(parse));
}
