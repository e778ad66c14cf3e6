package org.neologism.concepts.shell;

import java.io.PrintStream;
import java.util.List;

import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.InstalledEmbedding;

/** The columns of {@code ti:embeddings}. */
final class Rows {

    private Rows() {
    }

    /** {@code 3 x 768}, or {@code 2 x 768 + 2 x 1280} for an SDXL pair. */
    static String shape(InstalledEmbedding installed) {
        return String.join(" + ", installed.parts().stream()
                .map(p -> p.vectorCount() + " x " + p.width() + (p.isForOneOfSeveralEncoders() ? " " + p.encoder() : ""))
                .toList());
    }

    static void table(PrintStream out, List<InstalledEmbedding> installed) {
        int triggerWidth = Math.max("TRIGGER".length(), installed.stream().mapToInt(e -> e.trigger().length()).max().orElse(0));
        int shapeWidth = Math.max("VECTORS".length(), installed.stream().mapToInt(e -> shape(e).length()).max().orElse(0));
        int formatWidth = Math.max("FORMAT".length(), installed.stream().mapToInt(e -> e.format().length()).max().orElse(0));
        String row = "%-" + triggerWidth + "s  %-" + shapeWidth + "s  %-" + formatWidth + "s  %s%n";
        out.printf(row, "TRIGGER", "VECTORS", "FORMAT", "SOURCE");
        for (InstalledEmbedding e : installed) {
            out.printf(row, e.trigger(), shape(e), e.format(), e.file());
        }
    }

    static double norm(Embedding embedding, int vector) {
        double sum = 0;
        for (float v : embedding.vector(vector)) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }
}
