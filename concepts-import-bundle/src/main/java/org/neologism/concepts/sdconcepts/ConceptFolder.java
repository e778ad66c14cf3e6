package org.neologism.concepts.sdconcepts;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import org.neologism.core.embedding.Embedding;

/**
 * An sd-concepts-library concept folder: {@code learned_embeds.bin}, {@code token_identifier.txt},
 * {@code type_of_concept.txt}, {@code concept_images/} and an optional {@code README.md}.
 *
 * @param embedding     the embedding, its trigger taken from {@code token_identifier.txt} when present
 * @param typeOfConcept {@code object} or {@code style}
 * @param images        the training images in {@code concept_images/}, sorted by name
 */
public record ConceptFolder(Embedding embedding, String typeOfConcept, List<Path> images) {

    public static final String OBJECT = "object";
    public static final String STYLE = "style";

    public ConceptFolder {
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(typeOfConcept, "typeOfConcept");
        images = List.copyOf(images);
    }
}
