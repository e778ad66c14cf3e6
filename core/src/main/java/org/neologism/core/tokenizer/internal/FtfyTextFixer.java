package org.neologism.core.tokenizer.internal;

import java.text.Normalizer;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ftfy 6.1 {@code fix_text(text)} with its default configuration, as HF's CLIPTokenizer calls it, minus the
 * mojibake repair ({@code fix_encoding}: re-decoding text such as {@code cafÃ©} that was decoded with the wrong
 * code page). Text is fixed line by line; each line is run through the fixers below until it stops changing.
 * HTML entities are decoded only until a line containing {@code <} is seen (ftfy's {@code "auto"} mode: from
 * then on the text is taken to be HTML and left alone).
 */
public final class FtfyTextFixer {

    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[((?:\\p{Nd}|;)*)([a-zA-Z])");

    /** Windows-1252 for C1 controls; ftfy's "sloppy" codec keeps the five bytes Windows leaves undefined. */
    private static final String WINDOWS_1252_C1 =
            "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
            + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /** ftfy's LIGATURES: Latin ligatures and legacy digraphs split into their letters. */
    private static final Map<Integer, String> LIGATURES = Map.ofEntries(
            Map.entry(0x0132, "IJ"), Map.entry(0x0133, "ij"), Map.entry(0x0149, "\u02BCn"),
            Map.entry(0x01F1, "DZ"), Map.entry(0x01F2, "Dz"), Map.entry(0x01F3, "dz"),
            Map.entry(0x01C4, "D\u017D"), Map.entry(0x01C5, "D\u017E"), Map.entry(0x01C6, "d\u017E"),
            Map.entry(0x01C7, "LJ"), Map.entry(0x01C8, "Lj"), Map.entry(0x01C9, "lj"),
            Map.entry(0x01CA, "NJ"), Map.entry(0x01CB, "Nj"), Map.entry(0x01CC, "nj"),
            Map.entry(0xFB00, "ff"), Map.entry(0xFB01, "fi"), Map.entry(0xFB02, "fl"),
            Map.entry(0xFB03, "ffi"), Map.entry(0xFB04, "ffl"), Map.entry(0xFB05, "\u017Ft"),
            Map.entry(0xFB06, "st"));

    private FtfyTextFixer() {
    }

    public static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int lineBreak = text.indexOf('\n', pos);
            int end = lineBreak < 0 ? text.length() : lineBreak + 1;
            String segment = text.substring(pos, end);
            if (segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String segment, boolean unescapeHtml) {
        String text = segment;
        while (true) {
            String original = text;
            if (unescapeHtml) {
                text = HtmlEntityDecoder.unescape(text);
            }
            text = translate(text);
            text = text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n')
                    .replace('\u2029', '\n').replace('\u0085', '\n');
            text = replaceLoneSurrogates(text);
            text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = removeControlCharacters(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(original)) {
                return text;
            }
        }
    }

    /** fix_c1_controls, fix_latin_ligatures, fix_character_width and uncurl_quotes, applied in that order. */
    private static String translate(String text) {
        String step = mapCodePoints(text, cp -> cp >= 0x80 && cp <= 0x9F
                ? String.valueOf(WINDOWS_1252_C1.charAt(cp - 0x80)) : null);
        step = mapCodePoints(step, LIGATURES::get);
        step = mapCodePoints(step, FtfyTextFixer::standardWidth);
        return mapCodePoints(step, FtfyTextFixer::straightQuote);
    }

    /** ftfy's WIDTH_MAP: U+3000 and the halfwidth/fullwidth forms U+FF01..U+FFEF replaced by their NFKC form. */
    private static String standardWidth(int cp) {
        if (cp == 0x3000) {
            return " ";
        }
        if (cp >= 0xFF01 && cp < 0xFFF0) {
            String original = new String(Character.toChars(cp));
            String alternate = Normalizer.normalize(original, Normalizer.Form.NFKC);
            return alternate.equals(original) ? null : alternate;
        }
        return null;
    }

    private static String straightQuote(int cp) {
        if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
            return "'";
        }
        if (cp >= 0x201C && cp <= 0x201F) {
            return "\"";
        }
        return null;
    }

    /** ftfy's remove_control_chars: C0 controls except tab/newline/form feed/CR, DEL, bidi/format leftovers. */
    private static String removeControlCharacters(String text) {
        return mapCodePoints(text, cp -> isRemovedControl(cp) ? "" : null);
    }

    private static boolean isRemovedControl(int cp) {
        return cp <= 0x08 || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
    }

    /** fix_surrogates: a surrogate that is not half of a pair becomes U+FFFD. */
    private static String replaceLoneSurrogates(String text) {
        return mapCodePoints(text, cp -> cp >= 0xD800 && cp <= 0xDFFF ? "\uFFFD" : null);
    }

    private interface CodePointMapping {
        /** The replacement for {@code codePoint}, or null to keep it. */
        String replacement(int codePoint);
    }

    private static String mapCodePoints(String text, CodePointMapping mapping) {
        StringBuilder out = null;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            String replacement = mapping.replacement(cp);
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length());
                out.append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(text, i, next);
                }
            }
            i = next;
        }
        return out == null ? text : out.toString();
    }
}
