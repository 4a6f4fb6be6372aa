using Dspt.Demo;

namespace Dspt.Builtin;

/// <summary>
/// <c>--model builtin</c>: the world CLIP bundled with the program (assets/demo), so every command
/// can be tried without downloads. Its vocabulary lies beside it and is found like any other.
/// </summary>
public static class BuiltinModel
{
    public const string Address = "builtin";

    public static bool Is(string? model) => string.Equals(model?.Trim(), Address, StringComparison.OrdinalIgnoreCase);

    /// <summary>The checkpoint file a model address names: the bundled file for "builtin", else the address itself.</summary>
    public static string Resolve(string model) => Is(model) ? Path.Combine(DemoModel.BundledFolder(), DemoModel.WeightsFile) : model;
}
