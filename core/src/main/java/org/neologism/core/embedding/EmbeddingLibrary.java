package org.neologism.core.embedding;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.neologism.core.root.RootFolder;

/**
 * The embeddings installed under the root folder, laid out as InvokeAI reads them:
 * {@code <root>/embeddings/<trigger without <>>/learned_embeds.bin}. Installing never overwrites an
 * existing trigger unless asked to, and a reader never sees a half-written file.
 */
public interface EmbeddingLibrary {

    /**
     * Installs an embedding under its trigger.
     *
     * @param force replace an installed embedding with the same trigger instead of refusing
     * @throws EmbeddingConflictException when the trigger is installed already and {@code force} is false
     */
    default InstalledEmbedding install(Embedding embedding, boolean force) throws IOException {
        return install(List.of(embedding), force);
    }

    /**
     * Installs the parts of one embedding: a single element for SD 1.x/2.x, the {@code clip_l} and
     * {@code clip_g} halves for SDXL. Every part must have the same trigger.
     *
     * @throws EmbeddingConflictException when the trigger is installed already and {@code force} is false
     */
    InstalledEmbedding install(List<Embedding> parts, boolean force) throws IOException;

    /**
     * The library of another root folder (a run or an import with its own {@code --root}), laid out
     * and guarded the same way.
     */
    EmbeddingLibrary under(RootFolder root);

    /** Every readable embedding under the library folder, sorted by trigger. */
    List<InstalledEmbedding> list() throws IOException;

    /** The installed embedding with this trigger, if there is one. */
    Optional<InstalledEmbedding> find(String trigger) throws IOException;

    /**
     * Deletes the installed embedding with this trigger.
     *
     * @throws java.io.FileNotFoundException naming the trigger when nothing is installed under it
     */
    InstalledEmbedding remove(String trigger) throws IOException;
}
