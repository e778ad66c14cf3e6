package org.neologism.core.internal.dataset;

/**
 * PIL's {@code Image.resize(size, Image.BICUBIC)} for 8-bit images, reproduced bit for bit (Pillow's
 * {@code libImaging/Resample.c}, the path diffusers' {@code TextualInversionDataset} takes).
 *
 * <p>Two separable passes, horizontal first: each output sample is a weighted sum over the input
 * samples within the filter's support around its centre. When shrinking, the kernel is stretched by
 * the scale factor (antialiasing). Weights are normalised to sum 1 in double, then turned into
 * fixed-point integers with {@value #PRECISION_BITS} fraction bits; each pass accumulates in 32-bit
 * integers starting from one half, and clips to 0..255 after the shift, so the intermediate image is
 * 8-bit, as PIL's is.
 */
final class PilBicubicResize {

    /** 8 bits for the result and 2 for the kernel's overshoot: {@code 32 - 8 - 2}. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    /** The bicubic kernel is zero beyond |x| = 2. */
    private static final double SUPPORT = 2.0;

    private PilBicubicResize() {}

    /** The image resized to {@code width × height}. */
    static RgbImage resize(RgbImage image, int width, int height) {
        boolean horizontal = width != image.width();
        boolean vertical = height != image.height();
        RgbImage result = image;
        if (horizontal) {
            result = resampleRows(result, Weights.of(result.width(), width));
        }
        if (vertical) {
            result = resampleColumns(result, Weights.of(result.height(), height));
        }
        return result;
    }

    /**
     * Keys cubic convolution with a = -0.5 (Catmull-Rom): {@code (a+2)|x|³ - (a+3)|x|² + 1} for |x| < 1,
     * {@code a(|x|³ - 5|x|² + 8|x| - 4)} for |x| < 2, written in PIL's Horner order.
     */
    static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Fixed-point sum back to 8 bits: PIL's {@code clip8}, an arithmetic shift clamped to 0..255. */
    private static int clip8(int sum) {
        return Math.max(0, Math.min(255, sum >> PRECISION_BITS));
    }

    private static RgbImage resampleRows(RgbImage in, Weights weights) {
        int outWidth = weights.outSize();
        byte[] out = new byte[3 * outWidth * in.height()];
        for (int y = 0; y < in.height(); y++) {
            for (int xx = 0; xx < outWidth; xx++) {
                int first = weights.first(xx);
                int count = weights.count(xx);
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < count; k++) {
                        sum += in.sample(first + k, y, c) * weights.weight(xx, k);
                    }
                    out[3 * (y * outWidth + xx) + c] = (byte) clip8(sum);
                }
            }
        }
        return new RgbImage(outWidth, in.height(), out);
    }

    private static RgbImage resampleColumns(RgbImage in, Weights weights) {
        int outHeight = weights.outSize();
        byte[] out = new byte[3 * in.width() * outHeight];
        for (int yy = 0; yy < outHeight; yy++) {
            int first = weights.first(yy);
            int count = weights.count(yy);
            for (int x = 0; x < in.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < count; k++) {
                        sum += in.sample(x, first + k, c) * weights.weight(yy, k);
                    }
                    out[3 * (yy * in.width() + x) + c] = (byte) clip8(sum);
                }
            }
        }
        return new RgbImage(in.width(), outHeight, out);
    }

    /**
     * The fixed-point weights of one pass (PIL's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc}):
     * output sample {@code i} reads {@code count(i)} input samples from {@code first(i)}.
     */
    record Weights(int outSize, int kernelSize, int[] bounds, int[] fixedPoint) {

        static Weights of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int kernelSize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[2 * outSize];
            int[] fixedPoint = new int[outSize * kernelSize];
            double[] weights = new double[kernelSize];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                double inverseScale = 1.0 / filterScale;
                // (int) truncates like C's cast; PIL rounds the support's ends by adding 0.5 first.
                int min = Math.max(0, (int) (center - support + 0.5));
                int max = Math.min(inSize, (int) (center + support + 0.5)) - min;
                double total = 0.0;
                for (int k = 0; k < max; k++) {
                    double w = bicubic((k + min - center + 0.5) * inverseScale);
                    weights[k] = w;
                    total += w;
                }
                for (int k = 0; k < max; k++) {
                    double normalised = total != 0.0 ? weights[k] / total : weights[k];
                    fixedPoint[i * kernelSize + k] = normalised < 0
                            ? (int) (-0.5 + normalised * (1 << PRECISION_BITS))
                            : (int) (0.5 + normalised * (1 << PRECISION_BITS));
                }
                bounds[2 * i] = min;
                bounds[2 * i + 1] = max;
            }
            return new Weights(outSize, kernelSize, bounds, fixedPoint);
        }

        int first(int i) {
            return bounds[2 * i];
        }

        int count(int i) {
            return bounds[2 * i + 1];
        }

        int weight(int i, int k) {
            return fixedPoint[i * kernelSize + k];
        }
    }
}
