package org.neologism.shell;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.embedding.InstalledEmbedding;
import org.neologism.core.root.InstalledModel;
import org.neologism.core.root.InstalledModels;
import org.neologism.core.root.RootFolder;

/**
 * What a command's arguments can be, read fresh at each Tab: the installed triggers and models of a
 * root folder, and the registered schedule names.
 */
final class ArgumentValues {

    private final EmbeddingLibrary library;
    private final Supplier<List<String>> scheduleNames;

    ArgumentValues(EmbeddingLibrary library, Supplier<List<String>> scheduleNames) {
        this.library = library;
        this.scheduleNames = scheduleNames;
    }

    /** The installed triggers, each quoted as the shell needs it ({@code '<cat-toy>'}: {@code <} redirects). */
    List<Value> triggers(RootFolder root) {
        List<Value> values = new ArrayList<>();
        try {
            for (InstalledEmbedding embedding : library.under(root).list()) {
                values.add(new Value("'" + embedding.trigger() + "'", embedding.trigger(), "installed embedding"));
            }
        } catch (IOException unreadable) {
            // Nothing to offer from an unreadable library; the command itself will say why.
        }
        return values;
    }

    /** The models {@code --model} accepts by name: folders under {@code <root>/models} and models.yaml entries. */
    List<Value> models(RootFolder root) {
        List<Value> values = new ArrayList<>();
        for (InstalledModel model : InstalledModels.of(root).trainable()) {
            values.add(new Value(model.name(), model.name(), "installed model"));
        }
        return values;
    }

    List<Value> schedules() {
        return scheduleNames.get().stream().sorted().map(name -> new Value(name, name, "schedule")).toList();
    }

    /** A completion: what is inserted, what the list shows, and the group it is listed under. */
    record Value(String inserted, String shown, String group) {}
}
