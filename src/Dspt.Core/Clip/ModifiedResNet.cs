using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dspt.Clip;

/// <summary>
/// clip/model.py ModifiedResNet: a 3-conv stem with an average pool instead of a max pool,
/// anti-aliased strided convolutions (average pool before the stride), and a QKV attention pool.
/// </summary>
public sealed class ModifiedResNet : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2, conv3;
    readonly BatchNorm2d bn1, bn2, bn3;
    readonly AvgPool2d avgpool;
    readonly Sequential layer1, layer2, layer3, layer4;
    readonly AttentionPool2d attnpool;

    public ModifiedResNet(int[] layers, int outputDim, int heads, int inputResolution, int width)
        : base(nameof(ModifiedResNet))
    {
        conv1 = nn.Conv2d(3, width / 2, 3, stride: 2, padding: 1, bias: false);
        bn1 = new BatchNorm2d(width / 2);
        conv2 = nn.Conv2d(width / 2, width / 2, 3, padding: 1, bias: false);
        bn2 = new BatchNorm2d(width / 2);
        conv3 = nn.Conv2d(width / 2, width, 3, padding: 1, bias: false);
        bn3 = new BatchNorm2d(width);
        avgpool = nn.AvgPool2d(2);

        long inplanes = width;
        Sequential MakeLayer(long planes, int blocks, int stride)
        {
            var list = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", new Bottleneck(inplanes, planes, stride)) };
            inplanes = planes * Bottleneck.Expansion;
            for (int i = 1; i < blocks; i++) list.Add((i.ToString(), new Bottleneck(inplanes, planes, 1)));
            return nn.Sequential(list);
        }
        layer1 = MakeLayer(width, layers[0], 1);
        layer2 = MakeLayer(width * 2, layers[1], 2);
        layer3 = MakeLayer(width * 4, layers[2], 2);
        layer4 = MakeLayer(width * 8, layers[3], 2);

        int embedDim = width * 32; // the ResNet feature dimension
        attnpool = new AttentionPool2d(inputResolution / 32, embedDim, heads, outputDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x.to(conv1.weight.dtype);
        x = nn.functional.relu(bn1.call(conv1.call(x)));
        x = nn.functional.relu(bn2.call(conv2.call(x)));
        x = nn.functional.relu(bn3.call(conv3.call(x)));
        x = avgpool.call(x);
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        return attnpool.call(x).MoveToOuterDisposeScope();
    }
}

/// <summary>All convolutions stride 1; an average pool performs the stride (anti-aliasing).</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;
    readonly Conv2d conv1, conv2, conv3;
    readonly BatchNorm2d bn1, bn2, bn3;
    readonly nn.Module<Tensor, Tensor> avgpool;
    readonly Sequential? downsample;

    /// <summary>The branch's last norm (bn3), which CLIP's initialisation zeroes.</summary>
    public BatchNorm2d LastNorm => bn3;

    public Bottleneck(long inplanes, long planes, int stride) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false);
        bn1 = new BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = new BatchNorm2d(planes);
        avgpool = stride > 1 ? nn.AvgPool2d(stride) : nn.Identity();
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = new BatchNorm2d(planes * Expansion);
        if (stride > 1 || inplanes != planes * Expansion)
            downsample = nn.Sequential(
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, planes * Expansion, 1, stride: 1, bias: false)),
                ("1", new BatchNorm2d(planes * Expansion)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var identity = downsample is null ? x : downsample.call(x);
        var h = nn.functional.relu(bn1.call(conv1.call(x)));
        h = nn.functional.relu(bn2.call(conv2.call(h)));
        h = avgpool.call(h);
        h = bn3.call(conv3.call(h));
        return nn.functional.relu(h + identity).MoveToOuterDisposeScope();
    }
}

/// <summary>Attention pooling: the spatial mean token queries all tokens (mean + HxW) once.</summary>
public sealed class AttentionPool2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter positional_embedding;
    readonly Linear k_proj, q_proj, v_proj, c_proj;
    readonly int heads;

    public AttentionPool2d(int spacialDim, int embedDim, int heads, int outputDim) : base(nameof(AttentionPool2d))
    {
        positional_embedding = nn.Parameter(zeros(spacialDim * spacialDim + 1, embedDim));
        k_proj = nn.Linear(embedDim, embedDim);
        q_proj = nn.Linear(embedDim, embedDim);
        v_proj = nn.Linear(embedDim, embedDim);
        c_proj = nn.Linear(embedDim, outputDim);
        this.heads = heads;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var n = x.shape[0];
        x = x.flatten(2).transpose(1, 2);                          // (N, HW, C)
        x = cat([x.mean([1], keepdim: true), x], dim: 1);          // (N, HW+1, C)
        x = x + positional_embedding.to(x.dtype);
        long c = x.shape[2], l = x.shape[1], hd = c / heads;
        var q = q_proj.call(x.narrow(1, 0, 1)).view(n, 1, heads, hd).transpose(1, 2);
        var k = k_proj.call(x).view(n, l, heads, hd).transpose(1, 2);
        var v = v_proj.call(x).view(n, l, heads, hd).transpose(1, 2);
        var o = nn.functional.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(n, c);
        return c_proj.call(o).MoveToOuterDisposeScope();
    }
}
