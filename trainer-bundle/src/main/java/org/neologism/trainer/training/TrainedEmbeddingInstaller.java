package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingConflictException;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.root.RootFolder;

/**
 * Installs a trained embedding in {@code <root>/embeddings/<trigger>/} under the rule {@code ti:import}
 * follows: an earlier training of the same trigger is replaced, but a different trigger that maps to the
 * same folder ({@code probe}, {@code <probe} and {@code <probe>} all use {@code probe/}) is never replaced
 * silently. The folder is locked while it is written, so two runs never install into it at once.
 */
public final class TrainedEmbeddingInstaller implements TextualInversionRun.EmbeddingInstaller {

    private static final String LOCKS_FOLDER = ".locks";

    private final EmbeddingLibrary library;
    private final RootFolder root;

    public TrainedEmbeddingInstaller(EmbeddingLibrary library, RootFolder root) {
        this.library = library;
        this.root = root;
    }

    @Override
    public Path install(List<Embedding> parts) throws IOException {
        String trigger = parts.get(0).trigger();
        String folderName = RootFolder.folderName(trigger);
        Path folder = root.embeddings().resolve(folderName);
        // The lock lives beside the trigger folders, hidden: a lock file inside would keep an emptied
        // folder from being removed and would show up in InvokeAI's scan.
        try (FolderLock lock = FolderLock.acquire(root.embeddings().resolve(LOCKS_FOLDER).resolve(folderName + ".lock"),
                "installing " + trigger, "The embedding folder " + folder + " is being written by another run",
                "Wait for it to end, then install with ti:import.")) {
            // An installed SDXL file is named after the folder, and that name is its trigger.
            List<InstalledEmbedding> other = library.list().stream()
                    .filter(installed -> !installed.trigger().equals(trigger)
                            && !(installed.parts().size() > 1 && installed.trigger().equals(folderName)))
                    .filter(installed -> sameFolder(installed.trigger(), folderName))
                    .toList();
            if (!other.isEmpty()) {
                throw new DifferentTriggerException(trigger, other.get(0));
            }
            return library.install(parts, true).file();
        }
    }

    private static boolean sameFolder(String trigger, String folderName) {
        try {
            return RootFolder.folderName(trigger).equals(folderName);
        } catch (IllegalArgumentException unusableTrigger) {
            return false;
        }
    }

    /** Training would replace another trigger's embedding; the run says where its own result is. */
    public static final class DifferentTriggerException extends EmbeddingConflictException {

        private static final long serialVersionUID = 1L;

        DifferentTriggerException(String trigger, InstalledEmbedding installed) {
            super("Not installed: " + installed.file() + " holds the embedding of " + installed.trigger() + ", a"
                    + " different trigger than " + trigger + " that uses the same folder. Remove it first (ti:remove "
                    + shellWord(installed.trigger()) + "), or train under another --placeholder_token.");
        }
    }
}
