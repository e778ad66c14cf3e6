package org.neologism.core.launch;

import java.io.PrintStream;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A command-line program that runs inside the framework, such as {@code invokeai-ti}: the launcher starts
 * Felix, waits for the tool named {@value #NAME_PROPERTY}{@code =<name>} and hands it the raw arguments (no
 * shell parses them, so {@code <cat-toy>} needs no Gogo quoting).
 */
@ConsumerType
public interface CommandLineTool {

    /** Service property: the program's name, e.g. {@code invokeai-ti}. */
    String NAME_PROPERTY = "neologism.tool";

    /** argparse's exit code for a command line the tool cannot use. */
    int BAD_COMMAND_LINE = 2;

    /** The exit code of a run that failed. */
    int FAILED = 1;

    /** Runs the program; returns the process's exit code (0 done). Errors are printed to {@code err}, once. */
    int run(List<String> args, PrintStream out, PrintStream err);
}
