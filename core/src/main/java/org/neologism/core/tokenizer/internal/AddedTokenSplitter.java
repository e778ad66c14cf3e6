package org.neologism.core.tokenizer.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts text around tokens that must never be split (special tokens and added tokens), the way HF's slow
 * tokenizers do with their trie before anything else touches the text: scanning left to right, the earliest
 * match wins and, among matches starting there, the longest ({@code <cat-toy>_1} over {@code <cat-toy>}).
 * Matching is exact and case-sensitive: {@code <CAT-TOY>} is ordinary text.
 */
public final class AddedTokenSplitter {

    /** A piece of the input: either one unsplittable token or the text between two of them. */
    public record Piece(String text, boolean isToken) {
    }

    private final List<String> longestFirst;

    public AddedTokenSplitter(Collection<String> tokens) {
        this.longestFirst = tokens.stream()
                .filter(token -> !token.isEmpty())
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    public List<Piece> split(String text) {
        List<Piece> pieces = new ArrayList<>();
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            String match = longestMatchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > textStart) {
                pieces.add(new Piece(text.substring(textStart, i), false));
            }
            pieces.add(new Piece(match, true));
            i += match.length();
            textStart = i;
        }
        if (textStart < text.length()) {
            pieces.add(new Piece(text.substring(textStart), false));
        }
        return pieces;
    }

    private String longestMatchAt(String text, int position) {
        for (String token : longestFirst) {
            if (text.startsWith(token, position)) {
                return token;
            }
        }
        return null;
    }
}
