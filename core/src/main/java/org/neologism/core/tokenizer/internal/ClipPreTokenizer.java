package org.neologism.core.tokenizer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's word split ({@code re.findall(self.pat, text)}): the two special tokens, English contractions, runs
 * of letters, single digits (CLIP never keeps a number whole) and runs of anything that is neither a letter, a
 * digit nor whitespace. Whitespace only separates. Case-insensitive like CLIP's pattern.
 */
public final class ClipPreTokenizer {

    private static final Pattern WORD = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private ClipPreTokenizer() {
    }

    public static List<String> words(String normalizedText) {
        List<String> words = new ArrayList<>();
        Matcher matcher = WORD.matcher(normalizedText);
        while (matcher.find()) {
            words.add(matcher.group());
        }
        return words;
    }
}
