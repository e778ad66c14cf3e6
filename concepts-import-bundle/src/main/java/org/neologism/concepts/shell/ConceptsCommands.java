package org.neologism.concepts.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.concepts.importing.EmbeddingExporter;
import org.neologism.concepts.importing.EmbeddingFormats;
import org.neologism.concepts.importing.EmbeddingImporter;
import org.neologism.concepts.importing.ImportRequest;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ti:import}, {@code ti:export}, {@code ti:embeddings}, {@code ti:inspect}, {@code ti:remove}: they
 * parse and print; the work is done by the importer, exporter, library and codecs.
 */
@Component(service = ConceptsCommands.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=import",
    "osgi.command.function=export",
    "osgi.command.function=embeddings",
    "osgi.command.function=inspect",
    "osgi.command.function=remove"
})
public class ConceptsCommands {

    private final EmbeddingFormats formats;
    private final EmbeddingLibrary library;

    private final Settings settings;

    /** Without --root the commands use the configured root folder (ConfigAdmin), read at each command. */
    @Activate
    public ConceptsCommands(@Reference EmbeddingFormats formats, @Reference EmbeddingLibrary library, @Reference Settings settings) {
        this.formats = formats;
        this.library = library;
        this.settings = settings;
    }

    /** Commands on one library, whatever the configuration says (tests). */
    public ConceptsCommands(EmbeddingFormats formats, EmbeddingLibrary library) {
        this(formats, library, null);
    }

    // Gogo maps the command "import", a Java keyword, to the method "_import"; its help command looks for a
    // method named "import" and finds none, so "ti:import" without arguments prints the usage instead.
    @Descriptor("Show how to use ti:import")
    public void _import() throws NoSuchMethodException {
        out().print(Usage.of(ConceptsCommands.class.getMethod("_import", String.class, String.class, String.class,
                boolean.class, String.class), "ti:import"));
    }

    @Descriptor("Install an embedding (any known format, detected from the content) or an sd-concepts-library folder into <root>/embeddings")
    public void _import(
            @Descriptor("the root folder (default: the configured root, NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)") @Parameter(names = "--root", absentValue = "") String root,
            @Descriptor("install under this trigger instead of the file's own (quote angle brackets: '<cat-toy>')") @Parameter(names = "--trigger", absentValue = "") String trigger,
            @Descriptor("diffusers model folder whose token width the embedding must have") @Parameter(names = "--model", absentValue = "") String model,
            @Descriptor("replace an installed embedding with the same trigger") @Parameter(names = "--force", presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("embedding file or sd-concepts-library folder") String source) throws IOException {
        ImportRequest request = new ImportRequest(Path.of(source), optional(trigger), optional(model).map(Path::of), force);
        InstalledEmbedding installed = new EmbeddingImporter(formats, library(root)).importEmbedding(request);
        out().println("Installed " + installed.trigger() + " (" + Rows.shape(installed) + ") at " + installed.file());
    }

    @Descriptor("Write an installed embedding in another format, or as an sd-concepts-library folder")
    public void export(
            @Descriptor("the root folder (default: the configured root, NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)") @Parameter(names = "--root", absentValue = "") String root,
            @Descriptor("format to write: a codec name (see ti:inspect output and ti:info) or sd_concepts_folder") @Parameter(names = "--format", absentValue = "") String format,
            @Descriptor("replace an existing destination file") @Parameter(names = "--force", presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("trigger of the installed embedding") String trigger,
            @Descriptor("file (or, for sd_concepts_folder, new folder) to write") String destination) throws IOException {
        if (format.isBlank()) {
            throw new IllegalArgumentException("ti:export needs --format <name>; formats: " + formats.formatNames() + ", "
                    + EmbeddingExporter.SD_CONCEPTS_FOLDER);
        }
        if (!format.equals(EmbeddingExporter.SD_CONCEPTS_FOLDER)
                && formats.codecs().stream().noneMatch(c -> c.format().equals(format))) {
            throw new IllegalArgumentException("--format " + format + " is unknown; use one of " + formats.formatNames()
                    + ", " + EmbeddingExporter.SD_CONCEPTS_FOLDER);
        }
        Path written = new EmbeddingExporter(formats, library(root)).export(trigger, Path.of(destination), format, force);
        out().println("Wrote " + trigger + " as " + format + " to " + written);
        if (Files.isRegularFile(written)) {
            String readBack = formats.read(written).get(0).trigger();
            if (!readBack.equals(trigger)) {
                out().println("Note: " + format + " stores no trigger; readers will call it " + readBack
                        + " after the file name (import it with --trigger to rename it)");
            }
        }
    }

    @Descriptor("List the installed embeddings: trigger, vectors x width, format, file")
    public void embeddings(
            @Descriptor("the root folder (default: the configured root, NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)") @Parameter(names = "--root", absentValue = "") String root) throws IOException {
        List<InstalledEmbedding> installed = library(root).list();
        if (installed.isEmpty()) {
            out().println("No embeddings installed (ti:import adds one)");
            return;
        }
        Rows.table(out(), installed);
    }

    @Descriptor("Show what an embedding file holds: format, triggers, shapes, dtypes and vector norms")
    public void inspect(@Descriptor("embedding file") String file) throws IOException {
        new Inspection(formats).print(Path.of(file), out());
    }

    @Descriptor("Delete an installed embedding")
    public void remove(@Descriptor("trigger of the installed embedding (quote angle brackets: '<cat-toy>')") String trigger) throws IOException {
        InstalledEmbedding removed = library("").remove(trigger);
        out().println("Removed " + removed.trigger() + " (" + removed.file() + ")");
    }

    /** The library of {@code --root} when it is given, else the configured one. */
    private EmbeddingLibrary library(String root) {
        if (!root.isBlank()) {
            return library.under(new RootFolder(Path.of(root).toAbsolutePath()));
        }
        return settings == null ? library : library.under(settings.root());
    }

    private static Optional<String> optional(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    // Gogo swaps System.out per session thread: print to the session's stream.
    private static PrintStream out() {
        return System.out;
    }
}
