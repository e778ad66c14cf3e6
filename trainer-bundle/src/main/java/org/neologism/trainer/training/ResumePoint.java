package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The checkpoint {@code --resume_from_checkpoint} names. {@code latest} is the newest intact checkpoint
 * of the run that wrote the folder's last checkpoint: checkpoints of another run are passed over, and a
 * damaged one (a state file cut short, a truncated array file) is named and the next older one used.
 * A checkpoint named explicitly is used as it is, or refused saying why.
 */
final class ResumePoint {

    /** A {@code checkpoint-N} folder with its state, or why the state cannot be read. */
    private record Candidate(Path folder, long step, Checkpoint.State state, String damage) {

        String runId() {
            return state == null ? null : state.runId();
        }

        long savedAt() throws IOException {
            return state != null && state.savedAtMillis() != null ? state.savedAtMillis()
                    : Files.getLastModifiedTime(folder).toMillis();
        }
    }

    private ResumePoint() {}

    /** The checkpoint to resume from; empty when {@code latest} finds none (a new run starts). */
    static Optional<Checkpoint> find(Path outputDir, String wanted, Consumer<String> notice) throws IOException {
        if (wanted.equals("latest")) {
            return latest(outputDir, notice);
        }
        Path given = Path.of(wanted);
        Path folder = given.isAbsolute() || Files.isDirectory(given) ? given : outputDir.resolve(given);
        if (!Files.isDirectory(folder)) {
            List<Candidate> present = candidates(outputDir);
            throw new IllegalArgumentException("--resume_from_checkpoint " + wanted + ": there is no checkpoint "
                    + folder + (present.isEmpty() ? "; " + outputDir + " has no checkpoint at all. Start without"
                    + " --resume_from_checkpoint." : "; " + outputDir + " has " + names(present) + ". Pass one of them,"
                    + " or --resume_from_checkpoint latest."));
        }
        try {
            return Optional.of(Checkpoint.load(folder));
        } catch (IOException damaged) {
            throw new IOException("Cannot resume from " + folder + ": it is damaged (" + firstLine(damaged) + ")."
                    + " Pass another checkpoint; --resume_from_checkpoint latest takes the newest intact one.", damaged);
        }
    }

    private static Optional<Checkpoint> latest(Path outputDir, Consumer<String> notice) throws IOException {
        List<Candidate> all = candidates(outputDir);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Optional<Candidate> lastWritten = Optional.empty();
        for (Candidate candidate : all) {
            if (candidate.state() != null && (lastWritten.isEmpty() || candidate.savedAt() > lastWritten.get().savedAt())) {
                lastWritten = Optional.of(candidate);
            }
        }
        String run = lastWritten.map(Candidate::runId).orElse(null);
        List<String> damaged = new ArrayList<>();
        List<String> otherRuns = new ArrayList<>();
        List<Candidate> newestFirst = new ArrayList<>(all);
        java.util.Collections.reverse(newestFirst);
        for (Candidate candidate : newestFirst) {
            if (candidate.damage() != null) {
                damaged.add(candidate.folder().getFileName() + " (" + candidate.damage() + ")");
                continue;
            }
            if (run != null && !run.equals(candidate.runId())) {
                otherRuns.add(candidate.folder().getFileName().toString());
                continue;
            }
            try {
                Checkpoint checkpoint = Checkpoint.load(candidate.folder());
                report(outputDir, candidate, damaged, otherRuns, notice);
                return Optional.of(checkpoint);
            } catch (IOException unreadable) {
                damaged.add(candidate.folder().getFileName() + " (" + firstLine(unreadable) + ")");
            }
        }
        throw new IOException("No intact checkpoint to resume from in " + outputDir + ": "
                + (damaged.isEmpty() ? "" : "damaged: " + String.join("; ", damaged))
                + (otherRuns.isEmpty() ? "" : (damaged.isEmpty() ? "" : "; ") + "of another run: " + String.join(", ", otherRuns))
                + ". Start over with --overwrite_output_dir (the old files are moved aside), or pass another --output_dir.");
    }

    private static void report(Path outputDir, Candidate chosen, List<String> damaged, List<String> otherRuns,
                               Consumer<String> notice) {
        if (!otherRuns.isEmpty()) {
            notice.accept("Passing over " + String.join(", ", otherRuns) + " in " + outputDir + ": "
                    + (otherRuns.size() == 1 ? "it belongs" : "they belong") + " to another run than the checkpoint"
                    + " written last.");
        }
        if (!damaged.isEmpty()) {
            notice.accept("Damaged " + (damaged.size() == 1 ? "checkpoint" : "checkpoints") + " in " + outputDir + ": "
                    + String.join("; ", damaged) + ". Resuming from " + chosen.folder().getFileName()
                    + ", the newest intact checkpoint.");
        }
    }

    /** Every {@code checkpoint-N} folder, oldest step first. */
    private static List<Candidate> candidates(Path outputDir) throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        List<Path> folders;
        try (Stream<Path> entries = Files.list(outputDir)) {
            folders = entries.filter(Files::isDirectory).filter(folder -> Checkpoint.stepOf(folder).isPresent()).toList();
        }
        List<Candidate> candidates = new ArrayList<>();
        for (Path folder : folders) {
            long step = Checkpoint.stepOf(folder).orElseThrow();
            try {
                candidates.add(new Candidate(folder, step, Checkpoint.readState(folder), null));
            } catch (IOException damaged) {
                candidates.add(new Candidate(folder, step, null, firstLine(damaged)));
            }
        }
        candidates.sort(Comparator.comparingLong(Candidate::step));
        return candidates;
    }

    private static String names(List<Candidate> candidates) {
        return candidates.stream().map(candidate -> candidate.folder().getFileName().toString())
                .collect(Collectors.joining(", "));
    }

    private static String firstLine(IOException e) {
        String message = Objects.requireNonNullElse(e.getMessage(), e.toString());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
