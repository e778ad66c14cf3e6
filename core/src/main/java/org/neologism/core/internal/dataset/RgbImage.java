package org.neologism.core.internal.dataset;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved ({@code HWC}), as {@code np.array} of a PIL
 * RGB image lays it out.
 */
record RgbImage(int width, int height, byte[] rgb) {

    RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + 3L * width * height + " bytes, not " + rgb.length);
        }
    }

    /** Channel {@code channel} of pixel (x, y), 0..255. */
    int sample(int x, int y, int channel) {
        return rgb[3 * (y * width + x) + channel] & 0xFF;
    }

    /**
     * The centred square of the short side, exactly as diffusers slices it:
     * {@code img[(h-c)//2:(h+c)//2, (w-c)//2:(w+c)//2]} with {@code c = min(h, w)}.
     */
    RgbImage centerCropped() {
        int side = Math.min(width, height);
        int top = (height - side) / 2;
        int left = (width - side) / 2;
        byte[] cropped = new byte[3 * side * side];
        for (int y = 0; y < side; y++) {
            System.arraycopy(rgb, 3 * ((top + y) * width + left), cropped, 3 * y * side, 3 * side);
        }
        return new RgbImage(side, side, cropped);
    }

    /** Pixels scaled to {@code uint8 / 127.5 - 1} in double, rounded to float, channel-major (CHW). */
    float[] toChannelMajorPixels() {
        int area = width * height;
        float[] pixels = new float[3 * area];
        for (int i = 0; i < area; i++) {
            for (int c = 0; c < 3; c++) {
                pixels[c * area + i] = (float) ((rgb[3 * i + c] & 0xFF) / 127.5 - 1.0);
            }
        }
        return pixels;
    }
}
