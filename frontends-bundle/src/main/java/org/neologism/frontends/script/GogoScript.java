package org.neologism.frontends.script;

import java.io.PrintStream;
import java.util.List;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.neologism.core.launch.Causes;
import org.neologism.core.launch.CommandLineTool;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ./neologism --run "cmd" ...}: runs Gogo commands one after another in one session, stopping at the
 * first that fails, and prints each result as the interactive shell would. The launcher reaches it as the
 * {@link CommandLineTool} named {@value #NAME}, so it calls plain Java instead of Gogo's API through
 * another class loader.
 */
@Component(service = CommandLineTool.class, property = CommandLineTool.NAME_PROPERTY + "=" + GogoScript.NAME)
public class GogoScript implements CommandLineTool {

    /** The tool's name; its arguments are the commands. */
    public static final String NAME = "gogo-script";

    private final CommandProcessor processor;

    @Activate
    public GogoScript(@Reference CommandProcessor processor) {
        this.processor = processor;
    }

    /** Returns 0 when every command succeeded, {@link #FAILED} at the first failure (reported on {@code err}). */
    @Override
    public int run(List<String> commands, PrintStream out, PrintStream err) {
        // The session reads the process's own input: a command such as the console form may need it.
        CommandSession session = processor.createSession(System.in, out, err);
        try {
            for (String command : commands) {
                try {
                    Object result = session.execute(command);
                    if (result != null) {
                        out.println(session.format(result, Converter.INSPECT));
                    }
                } catch (Exception e) {
                    err.println("Error: " + command + ": " + Causes.describe(e));
                    return FAILED;
                }
            }
            return 0;
        } finally {
            session.close();
            out.flush();
        }
    }
}
