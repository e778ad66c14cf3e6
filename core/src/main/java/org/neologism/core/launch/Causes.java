package org.neologism.core.launch;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A throwable and its causes, one per line, so the root cause reaches the user, not just the wrapper: shared
 * by the launcher (outside the framework) and the command-line tools inside it.
 */
public final class Causes {

    private Causes() {}

    public static String describe(Throwable error) {
        if (error == null) {
            return "(no cause given)";
        }
        List<String> parts = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = error; t != null && seen.put(t, true) == null; t = t.getCause()) {
            String message = t.getMessage();
            String text = message == null ? t.getClass().getName() : message;
            if (parts.isEmpty() || !parts.get(parts.size() - 1).contains(text)) {
                parts.add(text);
            }
        }
        return String.join("\n  caused by: ", parts);
    }
}
