package org.neologism.core.internal.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.neologism.core.dataset.DatasetOptions;
import org.neologism.core.dataset.TrainingImage;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * Every preprocessing case of every golden variant (crop or not, flip or not, each variant's
 * resolution) against what diffusers' {@code TextualInversionDataset} produced with PIL: the resized
 * uint8 image must be identical, and so must the float pixels.
 */
class PilParityTest {

    private static ImageIoPlugins plugins;

    @BeforeAll
    static void registerPlugins() {
        plugins = new ImageIoPlugins();
    }

    @AfterAll
    static void deregisterPlugins() {
        plugins.close();
    }

    /**
     * Per golden variant, its cases; a variant of an architecture not handled yet reports itself skipped (SDXL's
     * script resizes before it crops, which the loader does not do yet).
     */
    @TestFactory
    List<DynamicNode> everyCaseOfEveryVariantMatchesPilExactly() {
        List<DynamicNode> variants = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            variants.add(variant.tests(v -> cases(v).stream()));
        }
        return variants;
    }

    private static List<DynamicTest> cases(GoldenVariant variant) {
        JsonNode section = variant.section("preprocess");
        int resolution = section.get("resolution").asInt();
        Path golden = variant.file("preprocess.safetensors");
        Path source = variant.file("preprocess_src.png");
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("source decodes like PIL", () -> {
            RgbImage decoded = new ImageFileDecoder().decode(source);
            int[] shape = shape(golden, "src_uint8_hwc");
            assertEquals(shape[0], decoded.height());
            assertEquals(shape[1], decoded.width());
            assertArrayEquals(u8(golden, "src_uint8_hwc"), decoded.rgb());
        }));
        assertFalse(section.get("cases").isEmpty(), variant + ": index.json has no preprocess cases");
        // diffusers' SDXL script resizes first, so its --center_crop crops nothing; the trainer passes no crop then.
        boolean cropIsNoOp = section.path("center_crop_is_a_no_op").asBoolean(false);
        for (JsonNode parityCase : section.get("cases")) {
            String key = parityCase.get("key").asText();
            boolean crop = parityCase.get("center_crop").asBoolean() && !cropIsNoOp;
            boolean flip = parityCase.get("flip").asBoolean();
            tests.add(DynamicTest.dynamicTest(key + " at " + resolution, () -> {
                RgbImage decoded = new ImageFileDecoder().decode(source);
                if (parityCase.has("original_size")) {
                    // SDXL's time ids start with the source's (height, width).
                    assertArrayEquals(new int[] {parityCase.get("original_size").get(0).asInt(),
                            parityCase.get("original_size").get(1).asInt()}, new int[] {decoded.height(), decoded.width()},
                            "original_size");
                }
                RgbImage resized = PilBicubicResize.resize(crop ? decoded.centerCropped() : decoded,
                        resolution, resolution);
                RgbImage expectedUint8 = new RgbImage(resolution, resolution, u8(golden, key + ".resized_uint8_hwc"));
                assertArrayEquals(expectedUint8.rgb(), (flip ? mirrored(resized) : resized).rgb(),
                        "uint8 after PIL's bicubic resize" + (flip ? " and flip" : ""));
                // What the loader stores, flipped the way the trainer flips a sample.
                TrainingImage image = new TrainingImage(source, resolution,
                        FolderDatasetLoader.pixels(decoded, new DatasetOptions(source, resolution, crop)),
                        Optional.empty());
                assertArrayEquals(f32(golden, key + ".pixel_values"), flip ? image.flippedPixels() : image.pixels(),
                        0.0f, "pixel_values");
            }));
        }
        return tests;
    }

    private static int[] shape(Path file, String key) throws IOException {
        try (SafetensorsFile golden = SafetensorsFile.open(file)) {
            return golden.entry(key).intShape();
        }
    }

    private static byte[] u8(Path file, String key) throws IOException {
        try (SafetensorsFile golden = SafetensorsFile.open(file)) {
            assertEquals(DType.U8, golden.entry(key).dtype(), file + ": dtype of " + key);
            return golden.readBytes(key);
        }
    }

    private static float[] f32(Path file, String key) throws IOException {
        try (SafetensorsFile golden = SafetensorsFile.open(file)) {
            assertEquals(DType.F32, golden.entry(key).dtype(), file + ": dtype of " + key);
            return golden.readFloats(key);
        }
    }

    /** The uint8 image mirrored left to right, as PIL's {@code FLIP_LEFT_RIGHT}. */
    private static RgbImage mirrored(RgbImage image) {
        return ExifOrientation.MIRRORED.apply(image);
    }
}
