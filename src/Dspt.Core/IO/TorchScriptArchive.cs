using System.Text;
using static TorchSharp.torch;

namespace Dspt.IO;

/// <summary>
/// OpenAI's released CLIP <c>.pt</c> files are TorchScript archives. Their weights are ordinary
/// pickled storages in <c>data.pkl</c>: a tree of module objects whose attributes are the
/// parameters, buffers and submodules. That pickle is read with the same restricted unpickler as
/// torch.save files (module objects become inert <see cref="ScriptObject"/>s); nothing under
/// <c>code/</c> is read, compiled or run, and no <c>__setstate__</c> is called.
/// </summary>
public static class TorchScriptArchive
{
    /// <summary>Scalar buffers OpenAI's archives carry and clip.model.build_model deletes.</summary>
    public static readonly IReadOnlyList<string> DroppedBuffers = ["input_resolution", "context_length", "vocab_size"];

    /// <summary>Module trees deeper than this are refused (CLIP's is 6 deep).</summary>
    const int MaxDepth = 64;

    /// <summary>Parameters and buffers by their state-dict names, in their stored dtype, on the CPU.</summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path)
    {
        using var zip = TorchZip.Open(path);
        if (!zip.IsTorchScript)
            throw new InvalidInputException($"{path}: not a TorchScript archive (no {zip.Root}/constants.pkl or {zip.Root}/code/); a torch.save file is read with TorchPickle");
        var pickle = zip.Find("data.pkl")
            ?? throw new InvalidInputException($"{path}: the TorchScript archive has no '{zip.Root}/data.pkl' (the module and its weights)");
        if (zip.Find("byteorder") is { } byteOrder && Encoding.ASCII.GetString(zip.ReadAll(byteOrder)) is var order && order != "little")
            throw new InvalidInputException($"{path}: '{byteOrder.FullName}' says '{order}'; only little-endian archives are supported");

        string source = $"{path} ({pickle.FullName})";
        using var scope = NewDisposeScope();
        var host = new TorchPickleHost(source, zip.ReadStorage, scriptModules: true);
        var root = Unpickler.Load(zip.ReadAll(pickle), source, host);
        if (root is not ScriptObject module)
            throw new InvalidInputException($"{source}: the pickle holds a {Unpickler.Describe(root)}; a TorchScript archive holds a module (a __torch__ class)");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Collect(module, "", 0, result, new HashSet<ScriptObject>(ReferenceEqualityComparer.Instance), source);
        foreach (var name in DroppedBuffers) result.Remove(name);
        // The storages stay in the scope and are freed with it; the views returned live on.
        foreach (var t in result.Values) t.DetachFromDisposeScope();
        return result;
    }

    /// <summary>
    /// Tensor attributes are parameters or buffers, module attributes are submodules (a
    /// Sequential's children are named "0", "1", ...); everything else (training flags, hooks) is
    /// not a weight. Modules pickled torch.save-style keep theirs in _parameters/_buffers/_modules.
    /// </summary>
    static void Collect(ScriptObject module, string prefix, int depth, Dictionary<string, Tensor> result, HashSet<ScriptObject> open, string source)
    {
        if (depth > MaxDepth)
            throw new InvalidInputException($"{source}: modules nest more than {MaxDepth} deep at '{prefix}'");
        if (!open.Add(module))
            throw new InvalidInputException($"{source}: module '{prefix.TrimEnd('.')}' contains itself");
        var attributes = module.Attributes
            ?? throw new InvalidInputException($"{source}: module '{(prefix.Length == 0 ? "(root)" : prefix.TrimEnd('.'))}' ({module.ClassName}) has no attributes (its BUILD is missing)");
        foreach (var (key, value) in attributes)
        {
            if (key is not string name)
                throw new InvalidInputException($"{source}: module {module.ClassName} has an attribute named by a {Unpickler.Describe(key)}; expected strings");
            switch (value)
            {
                case Tensor t:
                    Add(result, prefix + name, t, source);
                    break;
                case UnloadableTensor u:
                    throw new InvalidInputException($"{source}: tensor '{prefix + name}' has dtype {u.DType}, which Dspt cannot load (expected a float, integer or bool dtype)");
                case ScriptObject child:
                    Collect(child, prefix + name + ".", depth + 1, result, open, source);
                    break;
                case PickleDict dict when name is "_parameters" or "_buffers" or "_modules":
                    foreach (var (k, v) in dict)
                    {
                        if (k is not string childName) continue;
                        if (v is Tensor ct) Add(result, prefix + childName, ct, source);
                        else if (v is ScriptObject cm) Collect(cm, prefix + childName + ".", depth + 1, result, open, source);
                    }
                    break;
            }
        }
        open.Remove(module);
    }

    static void Add(Dictionary<string, Tensor> result, string name, Tensor t, string source)
    {
        if (!result.TryAdd(name, t))
            throw new InvalidInputException($"{source}: the TorchScript module has two tensors named '{name}'");
    }
}
