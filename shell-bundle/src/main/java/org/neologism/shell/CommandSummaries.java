package org.neologism.shell;

import java.io.PrintStream;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/** The {@code help} listing: each {@code ti:} command with its one-line summary, then the other scopes. */
final class CommandSummaries {

    private final List<CommandDescription> commands;

    CommandSummaries(List<CommandDescription> commands) {
        this.commands = commands;
    }

    void print(PrintStream out, Collection<String> allCommands) {
        int width = commands.stream().mapToInt(command -> command.name().length()).max().orElse(0);
        out.println("Neologism (help <command> shows its options; Tab completes; Ctrl-R searches the history):");
        for (CommandDescription command : commands) {
            out.printf("  %-" + width + "s  %s%n", command.name(), command.summary());
        }
        TreeMap<String, Integer> scopes = new TreeMap<>();
        if (allCommands != null) {
            for (String name : allCommands) {
                int colon = name.indexOf(':');
                String scope = colon < 0 ? "" : name.substring(0, colon);
                if (!scope.equals("ti") && !scope.isEmpty()) {
                    scopes.merge(scope, 1, Integer::sum);
                }
            }
        }
        if (!scopes.isEmpty()) {
            StringBuilder others = new StringBuilder("Other scopes:");
            scopes.forEach((scope, count) -> others.append(' ').append(scope).append(" (").append(count).append(')'));
            out.println(others.append("; Tab after a scope and ':' lists its commands"));
        }
    }
}
