package org.neologism.trainer.training;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.ModelVariant;

/** The refusal of a multi-token initializer suggests only words that are one token for the very model. */
class InitializerTokenTest {

    private static List<Path> tokenizers() {
        return Fixtures.modelVariants().stream().map(ModelVariant::tokenizer).filter(Files::isDirectory).toList();
    }

    @Test
    void everySuggestedWordWorksWhenFollowed() throws IOException {
        List<Path> tokenizers = tokenizers();
        assertTrue(!tokenizers.isEmpty());
        for (Path folder : tokenizers) {
            ClipTokenizer tokenizer = ClipTokenizer.load(folder);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> InitializerToken.idOf(tokenizer, "a photo of"));
            String message = refused.getMessage();
            assertTrue(message.startsWith("--initializer_token 'a photo of' is " + tokenizer.tokenCount("a photo of")
                    + " tokens for this model: The initializer token must be a single token."), message);
            Matcher advice = Pattern.compile("such as (.+)\\.$").matcher(message);
            if (advice.find()) {
                for (String word : advice.group(1).split(" or ")) {
                    InitializerToken.idOf(tokenizer, word); // the advice, followed literally
                }
            } else {
                assertTrue(message.endsWith("Choose a word that this model's tokenizer (tokenizer/vocab.json) holds as one"
                        + " token."), message);
            }
        }
    }
}
