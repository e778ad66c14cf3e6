package org.neologism.trainer.training;

import java.util.List;
import org.neologism.core.tokenizer.ClipTokenizer;

/**
 * {@code --initializer_token}, which must be one token of the model's tokenizer. The refusal suggests only
 * words that are one token for this very tokenizer: advice such as "cat" is wrong for a model whose
 * vocabulary splits it.
 */
public final class InitializerToken {

    /** Common single-word initializers, tried in this order for the advice. */
    private static final List<String> CANDIDATES = List.of("*", "cat", "dog", "toy", "person", "style", "art", "a");

    private InitializerToken() {}

    /**
     * The token id that initialises the placeholder vectors.
     *
     * @throws IllegalArgumentException naming the flag, how many tokens the text is, and words that work
     */
    public static int idOf(ClipTokenizer tokenizer, String initializer) {
        try {
            return tokenizer.initializerTokenId(initializer);
        } catch (IllegalArgumentException notOneToken) {
            int count = tokenizer.tokenCount(initializer);
            List<String> working = CANDIDATES.stream().filter(word -> isOneToken(tokenizer, word)).limit(3).toList();
            String advice = working.isEmpty()
                    ? " Choose a word that this model's tokenizer (tokenizer/vocab.json) holds as one token."
                    : " Choose a word that is one token for this model, such as " + String.join(" or ", working) + ".";
            throw new IllegalArgumentException("--initializer_token '" + initializer + "' is " + count
                    + (count == 1 ? " token" : " tokens") + " for this model: " + notOneToken.getMessage() + advice,
                    notOneToken);
        }
    }

    private static boolean isOneToken(ClipTokenizer tokenizer, String word) {
        try {
            tokenizer.initializerTokenId(word);
            return true;
        } catch (IllegalArgumentException split) {
            return false;
        }
    }
}
