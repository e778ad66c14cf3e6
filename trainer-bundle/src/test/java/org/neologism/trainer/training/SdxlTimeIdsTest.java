package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.neologism.core.dataset.TrainingImage;
import org.neologism.core.tensors.SafetensorsFile;

/**
 * The {@code add_time_ids} of every step of every recorded SDXL run are what the batch assembler forms from each
 * sample's original size: {@code (h, w, 0, 0, R, R)}, crop corner always (0, 0) because the script resizes first.
 */
class SdxlTimeIdsTest {

    @Test
    void everyRecordedStepsTimeIdsComeFromTheOriginalSizes() throws Exception {
        int checked = 0;
        for (Path variant : org.neologism.testsupport.Fixtures.goldenVariants().stream().map(org.neologism.testsupport.GoldenVariant::folder).toList()) {
            JsonNode runs = new ObjectMapper().readTree(variant.resolve("index.json").toFile()).path("sections")
                    .path("train").path("runs");
            try (SafetensorsFile golden = SafetensorsFile.open(variant.resolve("train.safetensors"))) {
                for (JsonNode run : runs) {
                    String name = run.path("name").asText();
                    int resolution = run.path("resolution").asInt();
                    for (int s = 0; s < run.path("max_train_steps").asInt(); s++) {
                        String prefix = name + ".step" + s + ".";
                        if (!golden.contains(prefix + "add_time_ids")) {
                            continue;
                        }
                        long[] sizes = golden.readLongs(prefix + "original_size");
                        long[] crops = golden.readLongs(prefix + "crop_top_left");
                        float[] expected = golden.readFloats(prefix + "add_time_ids");
                        for (int j = 0; j < sizes.length / 2; j++) {
                            assertArrayEquals(new long[] {0, 0}, Arrays.copyOfRange(crops, 2 * j, 2 * j + 2), prefix + "crop");
                            TrainingImage image = new TrainingImage(Path.of("img"), resolution, new float[0], Optional.empty(),
                                    (int) sizes[2 * j], (int) sizes[2 * j + 1]);
                            assertArrayEquals(Arrays.copyOfRange(expected, 6 * j, 6 * j + 6), BatchAssembler.sdxlTimeIds(image),
                                    prefix + "add_time_ids of sample " + j);
                            checked++;
                        }
                    }
                }
            }
        }
        assertFalse(checked == 0, "no SDXL time ids recorded under golden/");
    }
}
