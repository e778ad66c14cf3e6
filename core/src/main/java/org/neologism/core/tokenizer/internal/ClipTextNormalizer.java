package org.neologism.core.tokenizer.internal;

/**
 * The clean-up HF's CLIPTokenizer applies to every span of text between added tokens when ftfy is installed:
 * {@code whitespace_clean(ftfy.fix_text(text)).lower()}, where {@code whitespace_clean} turns every run of
 * Python whitespace ({@code \s+}) into one space and strips both ends.
 */
public final class ClipTextNormalizer {

    private ClipTextNormalizer() {
    }

    public static String normalize(String text) {
        return PythonLowercase.lower(collapseWhitespace(FtfyTextFixer.fixText(text)));
    }

    static String collapseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            if (isPythonWhitespace(cp)) {
                pendingSpace = true;
            } else {
                if (pendingSpace && out.length() > 0) {
                    out.append(' ');
                }
                pendingSpace = false;
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * Python's {@code str.isspace()} (what {@code re}'s {@code \s} and {@code str.strip()} use): bidi classes
     * WS/B/S or category Zs. Not Java's {@link Character#isWhitespace}, which leaves out no-break spaces.
     */
    static boolean isPythonWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
