package org.neologism.concepts.sdconcepts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.InvalidEmbeddingFileException;

/**
 * Reads and writes sd-concepts-library concept folders. An export is assembled in a hidden sibling
 * folder and renamed into place, so a reader never finds half a concept.
 */
public final class SdConceptsFolders {

    public static final String EMBEDDING_FILE = "learned_embeds.bin";
    public static final String TOKEN_FILE = "token_identifier.txt";
    public static final String TYPE_FILE = "type_of_concept.txt";
    public static final String IMAGES_FOLDER = "concept_images";
    public static final String CARD_FILE = "README.md";

    private static final List<String> IMAGE_SUFFIXES = List.of(".jpg", ".jpeg", ".png", ".webp", ".bmp");

    private final EmbeddingFormats formats;

    public SdConceptsFolders(EmbeddingFormats formats) {
        this.formats = formats;
    }

    /** Whether a folder looks like a concept folder: it holds {@code learned_embeds.bin}. */
    public static boolean isConceptFolder(Path folder) {
        return Files.isDirectory(folder) && Files.isRegularFile(folder.resolve(EMBEDDING_FILE));
    }

    /**
     * Reads a concept folder. The trigger is {@code token_identifier.txt} when present (sd-concepts
     * writes it to match the file's key), else the file's own.
     */
    public ConceptFolder read(Path folder) throws IOException {
        Path file = folder.resolve(EMBEDDING_FILE);
        if (!Files.isRegularFile(file)) {
            throw new InvalidEmbeddingFileException(folder, "is not an sd-concepts-library folder: it has no "
                    + EMBEDDING_FILE);
        }
        List<Embedding> embeddings = formats.read(file);
        if (embeddings.size() != 1) {
            throw new InvalidEmbeddingFileException(file, "holds " + embeddings.size()
                    + " embeddings; an sd-concepts-library folder holds one");
        }
        Embedding embedding = embeddings.get(0);
        Path tokenFile = folder.resolve(TOKEN_FILE);
        if (Files.isRegularFile(tokenFile)) {
            String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new InvalidEmbeddingFileException(tokenFile, "is empty; write the trigger into it, e.g. <cat-toy>");
            }
            embedding = embedding.withTrigger(token);
        }
        String type = ConceptFolder.OBJECT;
        Path typeFile = folder.resolve(TYPE_FILE);
        if (Files.isRegularFile(typeFile)) {
            type = Files.readString(typeFile, StandardCharsets.UTF_8).strip();
            if (!type.equals(ConceptFolder.OBJECT) && !type.equals(ConceptFolder.STYLE)) {
                throw new InvalidEmbeddingFileException(typeFile, "says '" + type + "'; it must say object or style");
            }
        }
        return new ConceptFolder(embedding, type, images(folder.resolve(IMAGES_FOLDER)));
    }

    /**
     * Writes a concept folder at {@code destination}, which must not exist: the embedding as
     * {@code learned_embeds.bin} ({@code [d]} for one vector, as sd-concepts does), the token and type
     * files without trailing newline, the images copied into {@code concept_images/}, and a model card.
     */
    public void write(ConceptFolder concept, Path destination) throws IOException {
        if (Files.exists(destination)) {
            throw new IOException(destination + " exists already; export to a new folder or remove it first");
        }
        Path parent = destination.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + destination.getFileName() + ".staging-" + UUID.randomUUID());
        try {
            Files.createDirectory(staging);
            new LearnedEmbedsBinCodec().write(List.of(concept.embedding()), staging.resolve(EMBEDDING_FILE));
            Files.writeString(staging.resolve(TOKEN_FILE), concept.embedding().trigger(), StandardCharsets.UTF_8);
            Files.writeString(staging.resolve(TYPE_FILE), concept.typeOfConcept(), StandardCharsets.UTF_8);
            Path images = Files.createDirectory(staging.resolve(IMAGES_FOLDER));
            List<String> imageNames = new ArrayList<>();
            for (int i = 0; i < concept.images().size(); i++) {
                Path source = concept.images().get(i);
                String name = i + suffix(source);
                Files.copy(source, images.resolve(name));
                imageNames.add(name);
            }
            Files.writeString(staging.resolve(CARD_FILE), ModelCard.text(concept, destination.getFileName().toString(),
                    imageNames), StandardCharsets.UTF_8);
            Files.move(staging, destination, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(staging)) {
                try (Stream<Path> walk = Files.walk(staging)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
        }
    }

    private static List<Path> images(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> IMAGE_SUFFIXES.contains(suffix(f)))
                    .sorted().toList();
        }
    }

    private static String suffix(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot).toLowerCase(Locale.ROOT);
    }
}
