package org.neologism.core.tokenizer.internal;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2/CLIP {@code bytes_to_unicode()}: every UTF-8 byte is written as one printable character so that BPE
 * never sees whitespace or control characters. Printable Latin-1 bytes ({@code !..~}, {@code ¡..¬},
 * {@code ®..ÿ}) stand for themselves; the other 68 bytes map, in byte order, to U+0100 onwards.
 */
public final class ByteLevelAlphabet {

    private static final char[] CHAR_OF_BYTE = buildTable();

    private ByteLevelAlphabet() {
    }

    /** The byte-level spelling of {@code text}: one character per UTF-8 byte. */
    public static String spell(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder spelled = new StringBuilder(utf8.length);
        for (byte b : utf8) {
            spelled.append(CHAR_OF_BYTE[b & 0xFF]);
        }
        return spelled.toString();
    }

    /** The character that stands for byte {@code value} (0..255). */
    public static char charOf(int value) {
        return CHAR_OF_BYTE[value];
    }

    private static char[] buildTable() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }
}
