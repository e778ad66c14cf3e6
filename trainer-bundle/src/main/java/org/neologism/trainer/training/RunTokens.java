package org.neologism.trainer.training;

import java.util.ArrayList;
import java.util.List;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.core.tokenizer.InvalidTokenizerFolderException;
import org.neologism.trainer.model.DiffusersFolder;

/**
 * A run's tokens: each text encoder's tokenizer with the placeholder tokens added (SDXL's second pads
 * with "!", so ids are per tokenizer), the initializer's id and the placeholders' ids in each, and the
 * trigger as prompts carry it ({@code P P_1 … P_{n-1}} for n vectors).
 */
record RunTokens(List<ClipTokenizer> tokenizers, List<Integer> initializerIds, List<long[]> placeholderIds,
                 String expandedTrigger) {

    static RunTokens of(DiffusersFolder model, String trigger, int vectorCount, String initializerToken)
            throws InvalidTokenizerFolderException {
        // One tokenizer per encoder, from a folder or from what a single file was opened with.
        List<ClipTokenizer> tokenizers = model.tokenizers();
        List<Integer> initializerIds = new ArrayList<>();
        List<long[]> placeholderIds = new ArrayList<>();
        for (ClipTokenizer tokenizer : tokenizers) {
            initializerIds.add(InitializerToken.idOf(tokenizer, initializerToken));
            placeholderIds.add(toLongs(tokenizer.addPlaceholderTokens(trigger, vectorCount)));
        }
        return new RunTokens(List.copyOf(tokenizers), List.copyOf(initializerIds), List.copyOf(placeholderIds),
                ClipTokenizer.expandPlaceholder(trigger, vectorCount));
    }

    private static long[] toLongs(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return longs;
    }
}
