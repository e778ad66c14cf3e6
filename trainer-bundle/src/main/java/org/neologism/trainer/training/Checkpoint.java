package org.neologism.trainer.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.core.tensors.SafetensorsWriter;
import org.neologism.core.training.TrainingRequest;

/**
 * The full resumable state of a run after optimiser step {@code step}, stored as
 * {@code checkpoint-<step>/} in the output folder: the vectors ({@code learned_embeds.safetensors}),
 * the AdamW moments ({@code optimizer.safetensors}) and {@code trainer_state.json} (step, seed, the
 * run's configuration and the fingerprints of its dataset and model). The folder is written beside
 * its final name and renamed into place, so a killed run leaves either a whole checkpoint or none.
 *
 * @param step          optimiser steps done
 * @param seed          the run's seed: with the step it fixes every later random draw
 * @param trigger       the trigger being learned
 * @param vectorCount   n
 * @param width         d
 * @param vectors       the n × d trainable values
 * @param firstMoment   AdamW exp_avg
 * @param secondMoment  AdamW exp_avg_sq
 * @param datasetFingerprint what {@link RunFingerprint#ofDataset} gave for the training images
 * @param modelFingerprint   what {@link RunFingerprint#ofModel} gave for the base model
 * @param request       the run's configuration
 * @param runId         the run it belongs to: a fresh run draws one, a resumed run keeps its checkpoint's
 *                      ({@code null} in checkpoints written before runs had ids)
 */
public record Checkpoint(
        long step,
        long seed,
        String trigger,
        int vectorCount,
        int width,
        float[] vectors,
        float[] firstMoment,
        float[] secondMoment,
        String datasetFingerprint,
        String modelFingerprint,
        TrainingRequest request,
        String runId) {

    /** A checkpoint of no known run. */
    public Checkpoint(long step, long seed, String trigger, int vectorCount, int width, float[] vectors,
                      float[] firstMoment, float[] secondMoment, String datasetFingerprint, String modelFingerprint,
                      TrainingRequest request) {
        this(step, seed, trigger, vectorCount, width, vectors, firstMoment, secondMoment, datasetFingerprint,
                modelFingerprint, request, null);
    }

    static final String FOLDER_PREFIX = "checkpoint-";
    private static final Pattern FOLDER_NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String STATE_FILE = "trainer_state.json";
    private static final String VECTORS_FILE = "learned_embeds.safetensors";
    private static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** What every checkpoint of one run shares; {@link #at} adds a step's state. */
    public record Recipe(long seed, String trigger, int vectorCount, int width, String datasetFingerprint,
                         String modelFingerprint, TrainingRequest request, String runId) {

        public Checkpoint at(long step, float[] vectors, AdamW optimizer) {
            return new Checkpoint(step, seed, trigger, vectorCount, width, vectors.clone(), optimizer.firstMoment(),
                    optimizer.secondMoment(), datasetFingerprint, modelFingerprint, request, runId);
        }
    }

    /**
     * What trainer_state.json holds besides the arrays. {@code runId} and {@code savedAtMillis} are absent
     * (null) in checkpoints of older versions.
     */
    record State(int formatVersion, long step, long seed, String trigger, int vectorCount, int width,
                 String datasetFingerprint, String modelFingerprint, TrainingRequest request, String runId,
                 Long savedAtMillis) {}

    /** Writes {@code checkpoint-<step>/} into {@code outputDir} and returns it. */
    public Path save(Path outputDir) throws IOException {
        Path folder = outputDir.resolve(FOLDER_PREFIX + step);
        Path partial = outputDir.resolve("." + FOLDER_PREFIX + step + ".partial");
        deleteRecursively(partial);
        Files.createDirectories(partial);
        int[] shape = {vectorCount, width};
        new SafetensorsWriter().putMetadata("format", "pt")
                .addFloats(trigger, DType.F32, shape, vectors).write(partial.resolve(VECTORS_FILE));
        new SafetensorsWriter()
                .addFloats("exp_avg", DType.F32, shape, firstMoment)
                .addFloats("exp_avg_sq", DType.F32, shape, secondMoment)
                .write(partial.resolve(OPTIMIZER_FILE));
        JSON.writeValue(partial.resolve(STATE_FILE).toFile(), new State(1, step, seed, trigger, vectorCount, width,
                datasetFingerprint, modelFingerprint, request, runId, System.currentTimeMillis()));
        deleteRecursively(folder);
        try {
            Files.move(partial, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, folder);
        }
        return folder;
    }

    /** Reads a checkpoint folder, naming it in every error. */
    public static Checkpoint load(Path folder) throws IOException {
        State state = readState(folder);
        float[] vectors;
        try (SafetensorsFile file = SafetensorsFile.open(folder.resolve(VECTORS_FILE))) {
            vectors = file.readFloats(state.trigger());
        }
        float[] first;
        float[] second;
        try (SafetensorsFile file = SafetensorsFile.open(folder.resolve(OPTIMIZER_FILE))) {
            first = file.readFloats("exp_avg");
            second = file.readFloats("exp_avg_sq");
        }
        int size = state.vectorCount() * state.width();
        if (vectors.length != size || first.length != size || second.length != size) {
            throw new IOException(folder + " is inconsistent: " + state.vectorCount() + " × " + state.width()
                    + " vectors, but the arrays hold " + vectors.length + ", " + first.length + " and " + second.length + " values");
        }
        return new Checkpoint(state.step(), state.seed(), state.trigger(), state.vectorCount(), state.width(),
                vectors, first, second, state.datasetFingerprint(), state.modelFingerprint(), state.request(),
                state.runId());
    }

    /**
     * Reads a checkpoint's {@code trainer_state.json} alone.
     *
     * @throws IOException naming the file and saying what is wrong with it in words
     */
    static State readState(Path folder) throws IOException {
        Path stateFile = folder.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException(folder + " is not a Neologism checkpoint: it has no " + STATE_FILE
                    + ". Pass --resume_from_checkpoint latest or a checkpoint-<step> folder of an output directory.");
        }
        State state;
        try {
            state = JSON.readValue(stateFile.toFile(), State.class);
        } catch (com.fasterxml.jackson.core.JacksonException unreadable) {
            throw new IOException(stateFile + " is not valid checkpoint state (" + unreadable.getOriginalMessage()
                    + ")", unreadable);
        }
        if (state == null || state.request() == null || state.trigger() == null) {
            throw new IOException(stateFile + " is incomplete: it lacks the run's trigger or configuration");
        }
        if (state.formatVersion() != 1) {
            throw new IOException(stateFile + " has checkpoint format " + state.formatVersion() + "; this Neologism reads format 1");
        }
        return state;
    }

    /** The complete checkpoints of an output folder, oldest step first. */
    public static List<Path> list(Path outputDir) throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(outputDir)) {
            return folders.filter(folder -> stepOf(folder).isPresent() && Files.isRegularFile(folder.resolve(STATE_FILE)))
                    .sorted(Comparator.comparingLong(folder -> stepOf(folder).orElseThrow()))
                    .toList();
        }
    }

    /** {@code --resume_from_checkpoint latest}: the newest complete checkpoint, if any. */
    public static Optional<Path> latest(Path outputDir) throws IOException {
        List<Path> all = list(outputDir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Removes the oldest checkpoints so that at most {@code limit} remain (checkpoints_total_limit). */
    public static void prune(Path outputDir, int limit) throws IOException {
        List<Path> all = list(outputDir);
        for (int i = 0; i < all.size() - limit; i++) {
            deleteRecursively(all.get(i));
        }
    }

    static Optional<Long> stepOf(Path folder) {
        Matcher matcher = FOLDER_NAME.matcher(folder.getFileName().toString());
        return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
