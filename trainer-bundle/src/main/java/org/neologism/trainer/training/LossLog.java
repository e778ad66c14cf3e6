package org.neologism.trainer.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code loss.csv} in the output folder: one row per optimiser step ({@code step,loss,lr,seconds}).
 * A resumed run first drops the rows after its checkpoint, so the file always describes one run.
 */
final class LossLog {

    static final String HEADER = "step,loss,lr,seconds";

    /** One row. */
    record Row(long step, double loss, double lr, double seconds) {}

    private final Path file;

    private LossLog(Path file) {
        this.file = file;
    }

    /** Opens the log of {@code outputDir}, keeping only the rows of steps up to {@code resumedStep}. */
    static LossLog open(Path outputDir, long resumedStep) throws IOException {
        Path file = outputDir.resolve("loss.csv");
        List<String> kept = new ArrayList<>();
        kept.add(HEADER);
        for (Row row : read(file)) {
            if (row.step() <= resumedStep) {
                kept.add(format(row));
            }
        }
        Path partial = outputDir.resolve(".loss.csv.partial");
        Files.write(partial, kept, StandardCharsets.UTF_8);
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new LossLog(file);
    }

    void append(Row row) {
        try {
            Files.writeString(file, format(row) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to " + file, e);
        }
    }

    Path file() {
        return file;
    }

    static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] fields = line.split(",");
            if (fields.length == 4 && !line.equals(HEADER)) {
                try {
                    rows.add(new Row(Long.parseLong(fields[0]), Double.parseDouble(fields[1]),
                            Double.parseDouble(fields[2]), Double.parseDouble(fields[3])));
                } catch (NumberFormatException e) {
                    // A row cut short by a kill: the checkpoint it belonged to was never completed.
                }
            }
        }
        return rows;
    }

    private static String format(Row row) {
        return String.format(Locale.ROOT, "%d,%.8g,%.8g,%.3f", row.step(), row.loss(), row.lr(), row.seconds());
    }
}
