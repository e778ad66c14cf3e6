package org.neologism.trainer.model.create;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generated CLIP-layout BPE vocabulary for untrained models: ids 0–255 the byte-level characters in
 * CLIP's order, 256–511 their end-of-word forms, then one token per merge, then the start and end tokens.
 * The merges are enumerated (letter pairs, then longer letter strings), not learned: the tokenizer is valid
 * and deterministic, which is all an untrained model needs.
 */
public final class ClipVocabulary {

    public static final String START = "<|startoftext|>";
    public static final String END = "<|endoftext|>";
    private static final String END_OF_WORD = "</w>";

    private final List<String> tokens = new ArrayList<>();
    private final List<String> merges = new ArrayList<>();

    /** A vocabulary of exactly {@code size} tokens (at least 514). */
    public ClipVocabulary(int size) {
        int mergeCount = size - 2 * 256 - 2;
        if (mergeCount < 0) {
            throw new IllegalArgumentException("a CLIP vocabulary needs at least 514 tokens, not " + size);
        }
        List<String> bytes = byteCharacters();
        tokens.addAll(bytes);
        bytes.forEach(b -> tokens.add(b + END_OF_WORD));
        generateMerges(mergeCount);
        tokens.add(START);
        tokens.add(END);
    }

    /** GPT-2 / CLIP bytes_to_unicode: printable bytes map to themselves, the rest to 256 + n, in that order. */
    static List<String> byteCharacters() {
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            printable.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable.add(b);
        }
        List<String> characters = new ArrayList<>();
        printable.forEach(b -> characters.add(String.valueOf((char) b.intValue())));
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable.contains(b)) {
                characters.add(String.valueOf((char) (256 + n++)));
            }
        }
        return characters;
    }

    private void generateMerges(int count) {
        List<String> stems = new ArrayList<>();
        for (char c = 'a'; c <= 'z'; c++) {
            stems.add(String.valueOf(c));
        }
        // Each round joins every stem with a letter, as a word-internal token and as a word end.
        while (merges.size() < count) {
            List<String> next = new ArrayList<>();
            for (String stem : stems) {
                for (char c = 'a'; c <= 'z' && merges.size() < count; c++) {
                    addMerge(stem, String.valueOf(c), stem + c);
                    next.add(stem + c);
                    if (merges.size() < count) {
                        addMerge(stem, c + END_OF_WORD, stem + c + END_OF_WORD);
                    }
                }
                if (merges.size() >= count) {
                    break;
                }
            }
            stems = next;
        }
    }

    private void addMerge(String left, String right, String joined) {
        merges.add(left + " " + right);
        tokens.add(joined);
    }

    /** vocab.json: token → id. */
    public Map<String, Integer> vocab() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        return vocab;
    }

    /** merges.txt, with its version line. */
    public String mergesText() {
        return "#version: 0.2\n" + String.join("\n", merges) + "\n";
    }

    public int size() {
        return tokens.size();
    }
}
