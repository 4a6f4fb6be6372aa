using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Prompting;

/// <summary>
/// Every learner's prompt_learner checkpoint in its Python code's state-dict layout (Dassl's
/// <c>save_checkpoint</c>, as <see cref="CoOpCheckpoint"/>), and back.
/// <list type="bullet">
/// <item>CoOp: <c>ctx, token_prefix, token_suffix</c>.</item>
/// <item>CoCoOp (trainers/cocoop.py): <c>ctx, token_prefix, token_suffix,
/// meta_net.linear1.weight, meta_net.linear1.bias, meta_net.linear2.weight,
/// meta_net.linear2.bias</c> (PyTorch's state_dict order: own parameters, own buffers, then
/// children). Its load_model drops token_prefix/suffix and loads the rest.</item>
/// <item>KgCoOp (trainers/kgcoop.py): CoOp's three. Its prompt learner also creates
/// <c>bias_vectors</c> and a <c>meta_net.linear1</c> that its forward never uses (frozen,
/// random); they are not exported (its load_model loads with strict=False, so their absence
/// is fine) and are ignored on import. The hand-crafted features are recomputed, as KgCoOp does.</item>
/// </list>
/// </summary>
public static class LearnerCheckpoint
{
    static readonly string[] KgCoOpUnused = ["bias_vectors", "meta_net.linear1.weight", "meta_net.linear1.bias"];

    /// <summary>Copies of the learner's reference state dict entries, in state_dict order.</summary>
    public static IReadOnlyList<(string Name, Tensor Value)> ReferenceState(IPromptModel model)
    {
        switch (model)
        {
            case PromptLearner coop: return CoOp(coop);
            case KgCoOpLearner kg: return CoOp(kg.Prompt);
            case CoCoOpLearner co:
                var state = co.state_dict();
                return [.. new[] { "ctx", "token_prefix", "token_suffix", "meta_net.linear1.weight", "meta_net.linear1.bias", "meta_net.linear2.weight", "meta_net.linear2.bias" }
                    .Select(n => (n, state[n].detach().clone()))];
            default: throw new ArgumentException($"no reference checkpoint layout for a {model.Kind} model");
        }
    }

    static IReadOnlyList<(string, Tensor)> CoOp(PromptLearner learner)
    {
        var state = learner.CoOpState();
        return [.. new[] { "ctx", "token_prefix", "token_suffix" }.Select(n => (n, state[n]))];
    }

    public static void Export(string path, IPromptModel model, int epoch) => CoOpCheckpoint.Export(path, ReferenceState(model), epoch);

    /// <summary>
    /// A learner of kind <paramref name="learner"/> from its reference state dict. The context's
    /// shape decides M (and, for CoOp, unified vs class-specific); token_prefix/suffix are
    /// recomputed from the class names, as the reference load_model does, and must equal the saved
    /// ones (within fp16/bf16 rounding): a checkpoint for another model or other class names is an error.
    /// </summary>
    public static IPromptModel Import(string learner, LearnerSetup setup, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var model = Build(learner, setup, state, source);
        try
        {
            CheckEmbeddings(model, setup.ClassNames, state, source);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// Relative tolerance of the embedding check: the reference code keeps CLIP in fp16 on a GPU,
    /// so its token_prefix/suffix may be the float32 embeddings rounded to fp16 (relative error
    /// 2^-11) or bf16 (2^-8 = 0.39 %); another model's or another class's embeddings differ by
    /// far more (they are different rows of the embedding table).
    /// </summary>
    const double EmbeddingTolerance = 4e-3;

    /// <summary>
    /// The checkpoint's token_prefix (the start token's embedding) and token_suffix (the class
    /// names', the full stop's and the end token's) must be the embeddings the given model gives
    /// the given class names: otherwise the checkpoint was made for another model or other class
    /// names, and its context would be applied to the wrong ones.
    /// </summary>
    static void CheckEmbeddings(IPromptModel model, IReadOnlyList<string> classNames, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var reference = ReferenceState(model);
        try
        {
            foreach (var (name, expected) in reference)
            {
                if (name is not ("token_prefix" or "token_suffix") || !state.TryGetValue(name, out var given)) continue;
                using var scope = NewDisposeScope();
                if (!given.shape.SequenceEqual(expected.shape))
                    throw new InvalidInputException($"{source}: field '{name}' has shape [{string.Join(", ", given.shape)}], the given model and {classNames.Count} class names give [{string.Join(", ", expected.shape)}] (saved for other class names or another model?)");
                var e = expected.to(ScalarType.Float32).cpu();
                var g = given.to(ScalarType.Float32).cpu();
                using TorchSharp.Scalar relative = EmbeddingTolerance, absolute = 1e-6;
                var excess = ((g - e).abs() - e.abs().mul(relative)).reshape(e.shape[0], -1).amax(1);
                var bad = excess.gt(absolute).nonzero();
                if (bad.shape[0] == 0) continue;
                int row = (int)bad[0, 0].item<long>();
                double worst = (g - e).abs().max().item<float>();
                throw new InvalidInputException(name == "token_prefix"
                    ? $"{source}: field 'token_prefix' (the start token's embedding) differs from the given model's by up to {worst:G3}: the checkpoint was made for another CLIP model (check --model)"
                    : $"{source}: field 'token_suffix' differs from the given model's embeddings of the class names, first at class {row} ('{classNames[row]}'), by up to {worst:G3}: " +
                      "the checkpoint was made for other class names, another class order or another CLIP model (check --dataset / --classes-file and --model)");
            }
        }
        finally
        {
            foreach (var (_, t) in reference) t.Dispose();
        }
    }

    static IPromptModel Build(string learner, LearnerSetup setup, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var clip = setup.Clip;
        string kind = LearnerRegistry.Kind(learner);
        switch (kind)
        {
            case "coop":
                return PromptLearner.FromCoOpState(clip, setup.Tokenizer, setup.ClassNames, state, setup.Options, source);
            case "kgcoop":
            {
                var coop = state.Where(kv => !KgCoOpUnused.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
                if (coop.TryGetValue("ctx", out var ctx) && ctx.dim() != 2)
                    throw new InvalidInputException($"{source}: tensor 'ctx' has shape [{string.Join(", ", ctx.shape)}], KgCoOp's context is unified: [n_ctx, {clip.Config.TransformerWidth}]");
                var prompt = PromptLearner.FromCoOpState(clip, setup.Tokenizer, setup.ClassNames, coop, setup.Options, source);
                return new KgCoOpLearner(prompt, CoOpPrompts.ZeroShot(setup.Tokenizer, setup.ClassNames, setup.Template, clip.Config.ContextLength),
                    LearnerRegistry.KgWeight(learner)) { Template = setup.Template };
            }
            default:
                return CoCoOp(setup, state, source);
        }
    }

    static CoCoOpLearner CoCoOp(LearnerSetup setup, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        string[] trainable = ["ctx", "meta_net.linear1.weight", "meta_net.linear1.bias", "meta_net.linear2.weight", "meta_net.linear2.bias"];
        string layout = "a CoCoOp prompt_learner state has ctx, token_prefix, token_suffix and meta_net.linear{1,2}.{weight,bias}";
        var unexpected = state.Keys.Where(n => !trainable.Contains(n) && n is not ("token_prefix" or "token_suffix")).ToList();
        if (unexpected.Count > 0) throw new InvalidInputException($"{source}: unexpected tensor '{unexpected[0]}' ({layout})");
        var missing = trainable.Where(n => !state.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new InvalidInputException($"{source}: missing tensor '{missing[0]}' ({layout})");
        var ctx = state["ctx"];
        long width = setup.Clip.Config.TransformerWidth, length = setup.Clip.Config.ContextLength;
        if (ctx.dim() != 2 || ctx.shape[1] != width || !ctx.is_floating_point())
            throw new InvalidInputException($"{source}: tensor 'ctx' has shape [{string.Join(", ", ctx.shape)}] ({ctx.dtype}), expected floating [n_ctx, {width}]");
        int m = (int)ctx.shape[0];
        var options = setup.Options with { Layout = setup.Options.Layout with { NCtx = m } };
        if (!string.IsNullOrEmpty(options.CtxInit) && PromptTokens.ContextCount(options) != m)
            throw new InvalidInputException($"{source}: tensor 'ctx' has {m} context vectors but the init phrase '{options.CtxInit}' has {PromptTokens.ContextCount(options)} words");
        int k = setup.ClassNames.Count;
        foreach (var (name, shape) in new[] { ("token_prefix", new long[] { k, 1, width }), ("token_suffix", new long[] { k, length - 1 - m, width }) })
            if (state.TryGetValue(name, out var t) && !t.shape.SequenceEqual(shape))
                throw new InvalidInputException($"{source}: tensor '{name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", shape)}] (saved for other class names or another model?)");
        var learner = new CoCoOpLearner(setup.Clip, setup.Tokenizer, setup.ClassNames, options, setup.Seed);
        try
        {
            ((IPromptModel)learner).LoadTrainable(trainable.ToDictionary(n => n, n => state[n]), source);
        }
        catch
        {
            learner.Dispose();
            throw;
        }
        return learner;
    }
}
