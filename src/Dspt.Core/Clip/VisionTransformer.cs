using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>clip/model.py VisionTransformer: patchify, prepend class token, ln_pre, transformer, ln_post(token 0) @ proj.</summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly Parameter class_embedding;
    readonly Parameter positional_embedding;
    readonly LayerNorm ln_pre;
    readonly Transformer transformer;
    readonly LayerNorm ln_post;
    readonly Parameter proj;

    public VisionTransformer(int inputResolution, int patchSize, int width, int layers, int heads, int outputDim)
        : base(nameof(VisionTransformer))
    {
        conv1 = nn.Conv2d(3, width, patchSize, stride: patchSize, bias: false);
        int grid = inputResolution / patchSize;
        class_embedding = nn.Parameter(zeros(width));
        positional_embedding = nn.Parameter(zeros(grid * grid + 1, width));
        ln_pre = new LayerNorm(width);
        transformer = new Transformer(width, layers, heads, causal: false);
        ln_post = new LayerNorm(width);
        proj = nn.Parameter(zeros(width, outputDim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Encode(x, null);

    /// <summary>The tower with prompt tokens (VPT, MaPLe): appended after the embedding, replaced before each block as the hook says.</summary>
    public Tensor Encode(Tensor x, ILayerPrompts? prompts)
    {
        using var scope = NewDisposeScope();
        x = conv1.call(x.to(conv1.weight.dtype));               // (N, W, grid, grid)
        x = x.flatten(2).transpose(1, 2);                           // (N, grid^2, W)
        var cls = class_embedding.to(x.dtype).expand(x.shape[0], 1, -1);
        x = cat([cls, x], dim: 1).Plus(positional_embedding.to(x.dtype));
        if (prompts is not null) x = prompts.Embedded(x);
        x = ln_pre.call(x);
        x = transformer.Forward(x, prompts);
        x = ln_post.call(x.select(1, 0));
        return x.matmul(proj).MoveToOuterDisposeScope();
    }
}
