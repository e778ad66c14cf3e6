package org.neologism.core.internal.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a training folder holds: its images (by extension, in file-name order), each image's caption
 * file ({@code <name>.txt} beside {@code <name>.<ext>}), and everything else, which is skipped.
 */
record TrainingFolder(Path folder, List<Path> images, List<Path> skipped) {

    /** What PIL opens for diffusers' loader and ImageIO decodes (GIF: the first frame, as PIL's convert). */
    static final Set<String> IMAGE_EXTENSIONS = org.neologism.core.dataset.DatasetLoader.IMAGE_EXTENSIONS;

    /** Image formats people drop into a training folder that no reader here decodes, by extension. */
    private static final Map<String, String> UNSUPPORTED_FORMATS = Map.ofEntries(
            Map.entry("heic", "HEIC"), Map.entry("heif", "HEIF"), Map.entry("avif", "AVIF"), Map.entry("jxl", "JPEG XL"),
            Map.entry("jp2", "JPEG 2000"), Map.entry("ppm", "PPM"), Map.entry("pgm", "PGM"), Map.entry("pbm", "PBM"),
            Map.entry("pnm", "PNM"), Map.entry("tga", "TGA"), Map.entry("ico", "ICO"), Map.entry("psd", "Photoshop"),
            Map.entry("svg", "SVG"), Map.entry("pcx", "PCX"), Map.entry("dds", "DDS"));

    TrainingFolder {
        images = List.copyOf(images);
        skipped = List.copyOf(skipped);
    }

    /**
     * Lists {@code folder}.
     *
     * @throws IOException when the folder is missing, not a folder, unreadable or holds no image, naming it
     *                     and {@code --train_data_dir}
     */
    static TrainingFolder list(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            throw new IOException("The training folder " + folder
                    + " does not exist. Put the images of the concept there or point --train_data_dir at their folder.");
        }
        if (!Files.isDirectory(folder)) {
            throw new IOException("--train_data_dir " + folder + " is a file, not a folder."
                    + " Point --train_data_dir at the folder that holds the training images.");
        }
        List<Path> entries;
        try (Stream<Path> listing = Files.list(folder)) {
            entries = listing.sorted().toList();
        } catch (IOException e) {
            throw new IOException("Cannot list the training folder " + folder + " (" + e.getMessage()
                    + "). Check its permissions or point --train_data_dir elsewhere.", e);
        }
        List<Path> images = new ArrayList<>();
        Set<Path> captions = new HashSet<>();
        for (Path entry : entries) {
            if (Files.isRegularFile(entry) && isImage(entry)) {
                images.add(entry);
                captions.add(captionOf(entry));
            }
        }
        if (images.isEmpty()) {
            throw new IOException("The training folder " + folder + " holds no image ("
                    + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList()) + ")" + (entries.isEmpty()
                    ? "; it is empty" : "; found only " + describe(entries))
                    + ". Add 3-5 images of the concept or point --train_data_dir at the folder that holds them.");
        }
        List<Path> skipped = entries.stream()
                .filter(entry -> !images.contains(entry) && !captions.contains(entry))
                .toList();
        return new TrainingFolder(folder, images, skipped);
    }

    /** Up to five entries by name, each unsupported image format named with the way out. */
    private static String describe(List<Path> entries) {
        List<String> named = new ArrayList<>();
        for (Path entry : entries.subList(0, Math.min(5, entries.size()))) {
            named.add(entry.getFileName() + unsupportedFormat(entry)
                    .map(format -> " (" + format + ", which cannot be read: convert it to PNG or JPEG)").orElse(""));
        }
        String rest = entries.size() > 5 ? " and " + (entries.size() - 5) + " more" : "";
        return String.join(", ", named) + rest;
    }

    /** The name of an image format no reader here decodes, judged by the file's extension. */
    static Optional<String> unsupportedFormat(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? Optional.ofNullable(UNSUPPORTED_FORMATS.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)))
                : Optional.empty();
    }

    /** The caption file of {@code image}, when there is one. */
    static Optional<Path> existingCaption(Path image) {
        Path caption = captionOf(image);
        return Files.isRegularFile(caption) ? Optional.of(caption) : Optional.empty();
    }

    private static Path captionOf(Path image) {
        String name = image.getFileName().toString();
        return image.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".txt");
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
