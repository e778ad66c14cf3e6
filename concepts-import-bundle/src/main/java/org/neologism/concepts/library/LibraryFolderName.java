package org.neologism.concepts.library;

/**
 * The folder an installed trigger gets under {@code embeddings/}: the trigger without its angle brackets,
 * as InvokeAI's training copies {@code <cat-toy>} to {@code embeddings/cat-toy/learned_embeds.bin}. Two
 * triggers that differ only in brackets would share a folder, so they conflict.
 */
final class LibraryFolderName {

    private LibraryFolderName() {
    }

    static String of(String trigger) {
        String name = trigger.strip();
        int start = 0;
        int end = name.length();
        while (start < end && (name.charAt(start) == '<' || name.charAt(start) == '>')) {
            start++;
        }
        while (end > start && (name.charAt(end - 1) == '<' || name.charAt(end - 1) == '>')) {
            end--;
        }
        String folder = name.substring(start, end);
        if (folder.isEmpty() || folder.startsWith(".") || folder.chars().anyMatch(c -> c == '/' || c == '\\'
                || c == 0 || c == ':' || Character.isISOControl(c))) {
            throw new IllegalArgumentException("The trigger '" + trigger + "' cannot name a folder in the embeddings"
                    + " library (it is empty, starts with a dot, or holds / \\ : or control characters);"
                    + " choose another with --trigger");
        }
        return folder;
    }
}
