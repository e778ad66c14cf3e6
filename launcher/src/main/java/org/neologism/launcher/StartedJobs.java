package org.neologism.launcher;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

/**
 * A non-interactive {@code --run} ends only when the training jobs its commands started have ended:
 * the JVM's exit would otherwise cut a {@code ti:train} without {@code --wait} off after "Job 1 queued".
 * The script is followed by the trainer's {@code ti:await}, which shows their progress and fails when a
 * job did not complete; without the trainer bundle there are no jobs and nothing is added.
 */
final class StartedJobs {

    static final String AWAIT = "ti:await";
    private static final String AWAIT_SERVICE = "(&(osgi.command.scope=ti)(osgi.command.function=await))";

    private StartedJobs() {}

    /** {@code commands}, then {@code ti:await} when a trainer offers it. */
    static List<String> thenAwait(BundleContext context, List<String> commands) {
        try {
            if (context.getAllServiceReferences(null, AWAIT_SERVICE) == null) {
                return commands;
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("bad filter " + AWAIT_SERVICE, e);
        }
        List<String> script = new ArrayList<>(commands);
        script.add(AWAIT);
        return script;
    }
}
