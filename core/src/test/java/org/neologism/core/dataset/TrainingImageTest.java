package org.neologism.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrainingImageTest {

    @Test
    void flippingMirrorsEachRowOfEachChannel() {
        // 3 channels of a 2x2 image, CHW.
        float[] pixels = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        TrainingImage image = new TrainingImage(Path.of("a.png"), 2, pixels, Optional.empty());
        assertArrayEquals(new float[] {2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11}, image.flippedPixels());
    }

    @Test
    void aResolutionThatIsNotAMultipleOfEightIsRefusedNamingTheFlag() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new DatasetOptions(Path.of("."), 500, false));
        org.junit.jupiter.api.Assertions.assertTrue(error.getMessage().contains("--resolution"));
    }
}
