namespace Dspt.Imaging;

/// <summary>
/// Pillow 9.4's <c>Image.resize(size, Image.BICUBIC, box)</c> on 8-bit images, ported operation
/// for operation from <c>src/libImaging/Resample.c</c> (plus the RGBA premultiplication in
/// <c>Image.resize</c> and <c>Convert.c</c>), so that CLIP's preprocessing gives the same bytes
/// as the Python original. A float resampler differs by up to 24 levels at hard edges (see the
/// fixture manifest's tolerance study), which is why the fixed-point arithmetic is kept.
/// </summary>
public static class PilResize
{
    // 8 bits of result, 2 bits of headroom for negative lobes / sums above 1, in an int.
    const int PrecisionBits = 32 - 8 - 2;
    const double BicubicSupport = 2.0;

    public static PixelImage Resize(PixelImage image, int width, int height, ResizeBox? box = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"output size must be positive, got {width}x{height}");
        var b = box ?? ResizeBox.Full(image.Width, image.Height);
        // The same checks, in the same order, as Pillow's _imaging.c _resize.
        if (b.Left < 0 || b.Top < 0)
            throw new ArgumentOutOfRangeException(nameof(box), $"resize box {b} has a negative offset");
        if (b.Right > image.Width || b.Bottom > image.Height)
            throw new ArgumentOutOfRangeException(nameof(box), $"resize box {b} exceeds the {image.Width}x{image.Height} image");
        if (b.Right - b.Left < 0 || b.Bottom - b.Top < 0)
            throw new ArgumentOutOfRangeException(nameof(box), $"resize box {b} is empty");

        if (width == image.Width && height == image.Height && b == ResizeBox.Full(image.Width, image.Height))
            return new PixelImage(width, height, image.Mode, (byte[])image.Pixels.Clone());

        if (image.Mode != PixelMode.Rgba)
            return new PixelImage(width, height, image.Mode, ResizeChannels(image.Pixels, image.Width, image.Height, image.Channels, width, height, b));

        // Image.resize converts RGBA -> RGBa, resizes, converts back; this wraps even the crop
        // shortcut below, so the round trip's rounding is part of the result.
        var premultiplied = Premultiply(image.Pixels);
        var resized = ResizeChannels(premultiplied, image.Width, image.Height, 4, width, height, b);
        Unpremultiply(resized);
        return new PixelImage(width, height, PixelMode.Rgba, resized);
    }

    /// <summary>_imaging.c <c>_resize</c> followed by <c>ImagingResampleInner</c>.</summary>
    static byte[] ResizeChannels(byte[] src, int inW, int inH, int ch, int outW, int outH, ResizeBox box)
    {
        // An integer box of exactly the output size is a plain crop in Pillow.
        if (box.Left - (int)box.Left == 0 && box.Right - box.Left == outW &&
            box.Top - (int)box.Top == 0 && box.Bottom - box.Top == outH)
            return new PixelImage(inW, inH, (PixelMode)ch, src).Crop((int)box.Left, (int)box.Top, outW, outH).Pixels;

        bool needHorizontal = outW != inW || box.Left != 0 || box.Right != outW;
        bool needVertical = outH != inH || box.Top != 0 || box.Bottom != outH;

        var vert = Coefficients.Compute(inH, box.Top, box.Bottom, outH);
        // Only the source rows the vertical pass reads are resampled horizontally.
        int firstRow = vert.Bounds[0];
        int lastRow = vert.Bounds[2 * outH - 2] + vert.Bounds[2 * outH - 1];

        byte[] current = src;
        int curW = inW;
        if (needHorizontal)
        {
            var horiz = Coefficients.Compute(inW, box.Left, box.Right, outW);
            for (int i = 0; i < outH; i++) vert.Bounds[2 * i] -= firstRow;
            current = Horizontal(src, inW, ch, firstRow, lastRow - firstRow, outW, horiz);
            curW = outW;
        }
        if (needVertical)
            current = Vertical(current, curW, ch, outH, vert);
        return ReferenceEquals(current, src) ? (byte[])src.Clone() : current;
    }

    // Integer sums in the same order as Pillow (int arithmetic is exact, so order only matters
    // for speed); pointers because bounds checks dominate these short inner loops.
    static unsafe byte[] Horizontal(byte[] src, int inW, int ch, int rowOffset, int rows, int outW, Coefficients k)
    {
        var dst = new byte[(long)rows * outW * ch];
        const int half = 1 << (PrecisionBits - 1);
        fixed (byte* s0 = src, d0 = dst)
        fixed (int* kk = k.Fixed, bounds = k.Bounds)
        {
            for (int yy = 0; yy < rows; yy++)
            {
                byte* srow = s0 + (long)(yy + rowOffset) * inW * ch;
                byte* d = d0 + (long)yy * outW * ch;
                for (int xx = 0; xx < outW; xx++)
                {
                    byte* p = srow + (long)bounds[2 * xx] * ch;
                    int count = bounds[2 * xx + 1];
                    int* kx = kk + (long)xx * k.KSize;
                    if (ch == 1)
                    {
                        int a = half;
                        for (int x = 0; x < count; x++) a += p[x] * kx[x];
                        *d++ = Clip8(a);
                    }
                    else if (ch == 3)
                    {
                        int a = half, b = half, c = half;
                        for (int x = 0; x < count; x++, p += 3)
                        {
                            int w = kx[x];
                            a += p[0] * w; b += p[1] * w; c += p[2] * w;
                        }
                        d[0] = Clip8(a); d[1] = Clip8(b); d[2] = Clip8(c);
                        d += 3;
                    }
                    else
                    {
                        int a = half, b = half, c = half, e = half;
                        for (int x = 0; x < count; x++, p += 4)
                        {
                            int w = kx[x];
                            a += p[0] * w; b += p[1] * w; c += p[2] * w; e += p[3] * w;
                        }
                        d[0] = Clip8(a); d[1] = Clip8(b); d[2] = Clip8(c); d[3] = Clip8(e);
                        d += 4;
                    }
                }
            }
        }
        return dst;
    }

    // Row by row: each output row accumulates whole source rows (cache-friendly, same sums).
    static unsafe byte[] Vertical(byte[] src, int w, int ch, int outH, Coefficients k)
    {
        int rowBytes = w * ch;
        var dst = new byte[(long)outH * rowBytes];
        var acc = new int[rowBytes];
        fixed (byte* s0 = src, d0 = dst)
        fixed (int* a = acc, kk = k.Fixed, bounds = k.Bounds)
        {
            for (int yy = 0; yy < outH; yy++)
            {
                new Span<int>(a, rowBytes).Fill(1 << (PrecisionBits - 1));
                int ymin = bounds[2 * yy], count = bounds[2 * yy + 1];
                int* ky = kk + (long)yy * k.KSize;
                for (int y = 0; y < count; y++)
                {
                    byte* row = s0 + (long)(ymin + y) * rowBytes;
                    int wgt = ky[y];
                    for (int i = 0; i < rowBytes; i++) a[i] += row[i] * wgt;
                }
                byte* d = d0 + (long)yy * rowBytes;
                for (int i = 0; i < rowBytes; i++) d[i] = Clip8(a[i]);
            }
        }
        return dst;
    }

    // Pillow's clip8 lookup table maps ss >> PRECISION_BITS in [-640, 639] to a clamp into [0, 255].
    static byte Clip8(int ss)
    {
        int v = ss >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Resample.c's <c>precompute_coeffs</c> and <c>normalize_coeffs_8bpc</c>.</summary>
    sealed class Coefficients
    {
        public required int KSize { get; init; }
        /// <summary>Per output pixel: first source index, number of taps.</summary>
        public required int[] Bounds { get; init; }
        public required int[] Fixed { get; init; }

        public static Coefficients Compute(int inSize, float in0, float in1, int outSize)
        {
            // (double)(in1 - in0): the subtraction happens in float, as in C.
            double scale = (double)(in1 - in0) / outSize;
            double filterScale = scale < 1.0 ? 1.0 : scale;
            // Downscaling widens the kernel by the scale factor: that is the antialiasing.
            double support = BicubicSupport * filterScale;
            int ksize = (int)Math.Ceiling(support) * 2 + 1;
            if (outSize > int.MaxValue / (ksize * sizeof(double)))
                throw new ArgumentOutOfRangeException(nameof(outSize), $"resize to {outSize} needs too many coefficients");

            var bounds = new int[2 * outSize];
            var kk = new int[outSize * ksize];
            var w = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = in0 + (xx + 0.5) * scale;
                double ww = 0.0;
                int xmin = (int)(center - support + 0.5);
                if (xmin < 0) xmin = 0;
                int xmax = (int)(center + support + 0.5);
                if (xmax > inSize) xmax = inSize;
                xmax -= xmin;
                for (int x = 0; x < xmax; x++)
                {
                    w[x] = Bicubic((x + xmin - center + 0.5) * ss);
                    ww += w[x];
                }
                for (int x = 0; x < xmax; x++)
                {
                    double k = ww != 0.0 ? w[x] / ww : w[x];
                    kk[xx * ksize + x] = k < 0
                        ? (int)(-0.5 + k * (1 << PrecisionBits))
                        : (int)(0.5 + k * (1 << PrecisionBits));
                }
                bounds[2 * xx] = xmin;
                bounds[2 * xx + 1] = xmax;
            }
            return new Coefficients { KSize = ksize, Bounds = bounds, Fixed = kk };
        }
    }

    /// <summary>Convert.c <c>rgbA2rgba</c>: c * a / 255 with Pillow's rounding shortcut.</summary>
    static byte[] Premultiply(byte[] rgba)
    {
        var dst = new byte[rgba.Length];
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int alpha = rgba[i + 3];
            for (int c = 0; c < 3; c++)
            {
                int tmp = rgba[i + c] * alpha + 128;
                dst[i + c] = (byte)(((tmp >> 8) + tmp) >> 8);
            }
            dst[i + 3] = (byte)alpha;
        }
        return dst;
    }

    /// <summary>Convert.c <c>rgba2rgbA</c>, in place: 255 * c / a truncated and clamped.</summary>
    static void Unpremultiply(byte[] rgba)
    {
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int alpha = rgba[i + 3];
            if (alpha == 255 || alpha == 0) continue;
            for (int c = 0; c < 3; c++)
            {
                int v = 255 * rgba[i + c] / alpha;
                rgba[i + c] = v > 255 ? (byte)255 : (byte)v;
            }
        }
    }
}
