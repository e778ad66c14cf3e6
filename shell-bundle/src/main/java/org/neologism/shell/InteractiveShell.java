package org.neologism.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.jline.reader.LineReader;
import org.jline.reader.impl.LineReaderImpl;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.neologism.core.schedule.LearningRateSchedule;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code neologism:shell}, run by the launcher's Gogo profile when the JLine shell starts: keeps the
 * history in {@code <root>/.neologism_history} and puts {@link TiCompleter} in front of Gogo's own
 * completer. {@code neologism:help} lists every {@code ti:} command with one line saying what it does.
 */
// immediate: the completer set up by shell() outlives the command call, after which Gogo ungets the
// service; a delayed component would then be deactivated and its schedule names unbound.
@Component(service = InteractiveShell.class, immediate = true, property = {
    "osgi.command.scope=neologism",
    "osgi.command.function=shell",
    "osgi.command.function=help"
})
public class InteractiveShell {

    static final String HISTORY_FILE = ".neologism_history";

    private final Settings settings;
    private final ArgumentValues values;
    private final CommandCatalog catalog;
    private final Map<ServiceReference<LearningRateSchedule>, String> schedules = new ConcurrentHashMap<>();

    @Activate
    public InteractiveShell(BundleContext context, @Reference EmbeddingLibrary library, @Reference Settings settings) {
        this.settings = settings;
        this.catalog = new CommandCatalog(context, "ti");
        this.values = new ArgumentValues(library, () -> List.copyOf(schedules.values()));
    }

    /** The schedules' names, from their service properties (the schedule objects themselves are not needed). */
    @Reference(service = LearningRateSchedule.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSchedule(ServiceReference<LearningRateSchedule> schedule) {
        Object name = schedule.getProperty(LearningRateSchedule.NAME_PROPERTY);
        if (name != null) {
            schedules.put(schedule, name.toString());
        }
    }

    void removeSchedule(ServiceReference<LearningRateSchedule> schedule) {
        schedules.remove(schedule);
    }

    @Descriptor("Set up the interactive shell: history in <root>/.neologism_history and completion of the ti: commands")
    public void shell(CommandSession session) throws IOException {
        if (!(session.get(Shell.VAR_READER) instanceof LineReaderImpl reader)) {
            return; // not the interactive JLine shell: nothing to set up
        }
        Path root = root().path();
        Files.createDirectories(root);
        // Gogo keeps the history file name in a session variable the reader reads at each save and load.
        session.put(LineReader.HISTORY_FILE, root.resolve(HISTORY_FILE));
        reader.getHistory().load();
        reader.setCompleter(new TiCompleter(reader.getCompleter(), catalog::command, values,
                command -> Shell.resolve(session, command), this::root, session::currentDir));
    }

    @Descriptor("List the ti: commands, one line each (help <command> shows a command's options)")
    public void help(CommandSession session) {
        new CommandSummaries(catalog.commands()).print(System.out, Shell.getCommands(session));
    }

    @Descriptor("Show a command's description, options and arguments")
    public void help(CommandSession session, @Descriptor("the command, e.g. ti:train") String command) throws Exception {
        session.execute("gogo:help " + command);
    }

    private RootFolder root() {
        return settings.root();
    }
}
