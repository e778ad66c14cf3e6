package org.neologism.core.tokenizer.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's {@code bpe()}: a byte-level word is split into characters, the last one carrying the end-of-word
 * marker {@code </w>}, then the adjacent pair with the lowest merge rank is merged everywhere (left to right,
 * non-overlapping) until no adjacent pair has a rank. Results are cached per word, as HF does.
 */
public final class BytePairEncoder {

    public static final String END_OF_WORD = "</w>";

    /** HF keeps at most {@code 49152 - 256 - 2} merges (CLIP's vocabulary budget) after the version line. */
    public static final int MAX_MERGES = 49152 - 256 - 2;

    /** HF's cache grows without bound; a long-lived service encoding arbitrary prompts should not. */
    private static final int CACHE_LIMIT = 100_000;

    private final Map<String, Integer> rankOfPair;
    private final Map<String, List<String>> wordsKeptWhole;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private BytePairEncoder(Map<String, Integer> rankOfPair, List<String> wordsKeptWhole) {
        this.rankOfPair = rankOfPair;
        Map<String, List<String>> whole = new HashMap<>();
        for (String word : wordsKeptWhole) {
            whole.put(word, List.of(word));
        }
        this.wordsKeptWhole = Map.copyOf(whole);
    }

    /**
     * @param mergeLines the lines of {@code merges.txt} after the {@code #version} line, in rank order
     * @param wordsKeptWhole words returned unchanged (HF seeds its cache with {@code <|startoftext|>} and
     *     {@code <|endoftext|>}, so these survive even when written in another case inside a prompt)
     */
    public static BytePairEncoder fromMerges(List<String> mergeLines, List<String> wordsKeptWhole) {
        Map<String, Integer> ranks = new HashMap<>();
        int count = Math.min(mergeLines.size(), MAX_MERGES);
        for (int rank = 0; rank < count; rank++) {
            String[] parts = mergeLines.get(rank).trim().split("\\s+");
            if (parts.length == 2) {
                // dict(zip(merges, range(n))): a repeated merge keeps its last rank
                ranks.put(pairKey(parts[0], parts[1]), rank);
            }
        }
        return new BytePairEncoder(ranks, wordsKeptWhole);
    }

    /** The BPE symbols of a non-empty byte-level word. */
    public List<String> encode(String word) {
        List<String> whole = wordsKeptWhole.get(word);
        if (whole != null) {
            return whole;
        }
        List<String> cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> symbols = merge(initialSymbols(word));
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(word, symbols);
        return symbols;
    }

    private static List<String> initialSymbols(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        int i = 0;
        while (i < word.length()) {
            int next = word.offsetByCodePoints(i, 1);
            symbols.add(word.substring(i, next));
            i = next;
        }
        int last = symbols.size() - 1;
        symbols.set(last, symbols.get(last) + END_OF_WORD);
        return symbols;
    }

    private List<String> merge(List<String> start) {
        List<String> word = start;
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String bestFirst = null;
            String bestSecond = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = rankOfPair.get(pairKey(word.get(i), word.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestFirst = word.get(i);
                    bestSecond = word.get(i + 1);
                }
            }
            if (bestFirst == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            int i = 0;
            while (i < word.size()) {
                if (i + 1 < word.size() && word.get(i).equals(bestFirst) && word.get(i + 1).equals(bestSecond)) {
                    merged.add(bestFirst + bestSecond);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i += 1;
                }
            }
            word = merged;
        }
        return List.copyOf(word);
    }

    private static String pairKey(String first, String second) {
        // symbols never contain a space (byte-level alphabet), so a space separates the pair unambiguously
        return first + ' ' + second;
    }
}
