using Dspt.Clip;

namespace Dspt.Bench;

/// <summary>
/// Analytic forward FLOPs (2 per multiply-add) of CLIP's matmuls and convolutions; norms,
/// activations and softmax are left out (a few percent at most).
/// </summary>
public static class ClipFlops
{
    /// <summary>One transformer layer over L tokens of width W: qkv, out, 4x MLP, and QK^T / AV.</summary>
    public static double TransformerLayer(double tokens, double width) =>
        24 * tokens * width * width + 4 * tokens * tokens * width;

    public static double TextForward(ClipConfig c, int tokens) =>
        c.TransformerLayers * TransformerLayer(tokens, c.TransformerWidth) + 2.0 * c.TransformerWidth * c.EmbedDim;

    public static double ImageForward(ClipConfig c)
    {
        if (c.IsVit)
        {
            int p = c.VisionPatchSize!.Value, grid = c.ImageResolution / p;
            double patches = 2.0 * grid * grid * 3 * p * p * c.VisionWidth;
            return patches + c.VisionLayers[0] * TransformerLayer(grid * grid + 1, c.VisionWidth) + 2.0 * c.VisionWidth * c.EmbedDim;
        }
        static double Conv(double cin, double cout, int k, double side) => 2 * cin * cout * k * k * side * side;
        int w = c.VisionWidth;
        double s = c.ImageResolution / 2.0;
        double flops = Conv(3, w / 2, 3, s) + Conv(w / 2, w / 2, 3, s) + Conv(w / 2, w, 3, s);
        s /= 2;
        double inplanes = w;
        for (int stage = 0; stage < 4; stage++)
        {
            double planes = w << stage;
            for (int b = 0; b < c.VisionLayers[stage]; b++)
            {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                double outSide = s / stride;
                flops += Conv(inplanes, planes, 1, s) + Conv(planes, planes, 3, s) + Conv(planes, planes * 4, 1, outSide);
                if (stride > 1 || inplanes != planes * 4) flops += Conv(inplanes, planes * 4, 1, outSide);
                inplanes = planes * 4;
                s = outSide;
            }
        }
        double channels = w * 32, tokens = s * s + 1;
        return flops + 2 * channels * channels * (1 + 2 * tokens) + 4 * tokens * channels + 2 * channels * c.EmbedDim;
    }
}
