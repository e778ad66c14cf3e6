package org.neologism.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrainingDatasetTest {

    private static TrainingImage image(String name) {
        return new TrainingImage(Path.of(name), 8, new float[3 * 64], Optional.empty());
    }

    @Test
    void lengthIsImagesTimesRepeatsAndSamplesCycleThroughTheImages() {
        TrainingDataset dataset = new TrainingDataset(List.of(image("a"), image("b"), image("c")), List.of(), 100, 0.5);
        assertEquals(300, dataset.length());
        assertEquals(Path.of("a"), dataset.sample(0).source());
        assertEquals(Path.of("c"), dataset.sample(5).source());
        assertEquals(Path.of("b"), dataset.sample(298).source());
        assertThrows(IndexOutOfBoundsException.class, () -> dataset.sample(300));
    }

    @Test
    void theShortConstructorIsOneRepeatWithDiffusersFlipProbability() {
        TrainingDataset dataset = new TrainingDataset(List.of(image("a")), List.of());
        assertEquals(1, dataset.length());
        assertEquals(0.5, dataset.flipProbability());
        assertEquals(Optional.empty(), dataset.skippedWarning());
    }

    @Test
    void theWarningNamesEverySkippedFile() {
        TrainingDataset dataset = new TrainingDataset(List.of(image("a")),
                List.of(Path.of("/data/notes.md"), Path.of("/data/clip.gif")));
        String warning = dataset.skippedWarning().orElseThrow();
        assertTrue(warning.contains("notes.md") && warning.contains("clip.gif") && warning.contains("2 files"), warning);
    }

    @Test
    void optionsRefuseRepeatsBelowOneAndFlipProbabilitiesOutsideZeroToOne() {
        IllegalArgumentException repeats = assertThrows(IllegalArgumentException.class,
                () -> new DatasetOptions(Path.of("."), 512, false, 0, "<t>"));
        assertTrue(repeats.getMessage().contains("--repeats"));
        assertThrows(IllegalArgumentException.class, () -> new DatasetOptions(Path.of("."), 512, false, 1, 1.5, "<t>"));
        IllegalArgumentException folder = assertThrows(IllegalArgumentException.class,
                () -> new DatasetOptions(null, 512, false));
        assertTrue(folder.getMessage().contains("--train_data_dir"));
    }
}
