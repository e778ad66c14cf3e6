package org.neologism.core.tokenizer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expected values are what {@code whitespace_clean(ftfy.fix_text(t)).lower()} returns (checked with ftfy 6). */
class ClipTextNormalizerTest {

    static Stream<Arguments> ftfyCleanUp() {
        return Stream.of(
                Arguments.of("numeric entity", "&#39;", "'"),
                Arguments.of("hex entity", "&#x27;s", "'s"),
                Arguments.of("double-escaped entity is decoded until stable", "tom &amp;amp; jerry", "tom & jerry"),
                Arguments.of("a line containing < is taken as HTML and left alone", "a < b &amp; c", "a < b &amp; c"),
                Arguments.of("lines before the first < are still unescaped",
                        "line one &amp;\nline <two> &amp;", "line one & line <two> &amp;"),
                Arguments.of("lines after a < are no longer unescaped", "line <one>\n&amp; two", "line <one> &amp; two"),
                Arguments.of("upper-cased entity", "&NTILDE;", "\u00F1"),
                Arguments.of("an entity decoding to ';' stays", "&#59;", "&#59;"),
                Arguments.of("unknown entity stays", "&bogus;", "&bogus;"),
                Arguments.of("curly apostrophe", "it\u2019s", "it's"),
                Arguments.of("C1 controls read as Windows-1252, then uncurled", "\u0093quoted\u0094", "\"quoted\""),
                Arguments.of("ligature", "\uFB01sh", "fish"),
                Arguments.of("fullwidth letters and ideographic space",
                        "\uFF2C\uFF2F\uFF35\uFF24\u3000\uFF2E\uFF2F\uFF29\uFF33\uFF25\uFF33", "loud noises"),
                Arguments.of("NFC", "cafe\u0301", "caf\u00E9"),
                Arguments.of("terminal colour codes", "\u001B[31mred\u001B[0m", "red"),
                Arguments.of("NUL removed", "a\u0000b", "ab"),
                Arguments.of("tabs, newlines and no-break spaces collapse", " \t a\u00A0\u00A0b\n\n ", "a b"),
                Arguments.of("Python's final sigma rule", "\u0391\u03A31", "\u03B1\u03C21"),
                Arguments.of("empty", "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ftfyCleanUp")
    void normalizesLikeFtfyThenWhitespaceCleanThenLower(String description, String input, String expected) {
        assertEquals(expected, ClipTextNormalizer.normalize(input));
    }
}
