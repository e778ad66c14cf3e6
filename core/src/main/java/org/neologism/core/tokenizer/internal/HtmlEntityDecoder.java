package org.neologism.core.tokenizer.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy's {@code unescape_html}: every {@code &name;} or {@code &#number;} match of
 * {@code &#?[0-9A-Za-z]{1,24};} is replaced when it is an HTML5 named reference (or an upper-cased one ftfy
 * accepts, like {@code &NTILDE;}) or a complete numeric reference decoded as Python's {@code html.unescape}
 * does; anything else, including a numeric reference that decodes to a text containing ';', stays as written.
 */
public final class HtmlEntityDecoder {

    private static final Pattern ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    private static final Pattern DECIMAL = Pattern.compile("&#([0-9]+);");
    private static final Pattern HEXADECIMAL = Pattern.compile("&#[xX]([0-9a-fA-F]+);");
    private static final Map<String, String> NAMED = loadNamedEntities();

    /** Python's {@code html._invalid_charrefs}: references that browsers read as Windows-1252 and friends. */
    private static final Map<Integer, String> REMAPPED_NUMBERS = Map.ofEntries(
            Map.entry(0x00, "\uFFFD"), Map.entry(0x0D, "\r"),
            Map.entry(0x80, "\u20AC"), Map.entry(0x81, "\u0081"), Map.entry(0x82, "\u201A"),
            Map.entry(0x83, "\u0192"), Map.entry(0x84, "\u201E"), Map.entry(0x85, "\u2026"),
            Map.entry(0x86, "\u2020"), Map.entry(0x87, "\u2021"), Map.entry(0x88, "\u02C6"),
            Map.entry(0x89, "\u2030"), Map.entry(0x8A, "\u0160"), Map.entry(0x8B, "\u2039"),
            Map.entry(0x8C, "\u0152"), Map.entry(0x8D, "\u008D"), Map.entry(0x8E, "\u017D"),
            Map.entry(0x8F, "\u008F"), Map.entry(0x90, "\u0090"), Map.entry(0x91, "\u2018"),
            Map.entry(0x92, "\u2019"), Map.entry(0x93, "\u201C"), Map.entry(0x94, "\u201D"),
            Map.entry(0x95, "\u2022"), Map.entry(0x96, "\u2013"), Map.entry(0x97, "\u2014"),
            Map.entry(0x98, "\u02DC"), Map.entry(0x99, "\u2122"), Map.entry(0x9A, "\u0161"),
            Map.entry(0x9B, "\u203A"), Map.entry(0x9C, "\u0153"), Map.entry(0x9D, "\u009D"),
            Map.entry(0x9E, "\u017E"), Map.entry(0x9F, "\u0178"));

    private HtmlEntityDecoder() {
    }

    public static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher matcher = ENTITY.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(decode(matcher.group())));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String decode(String entity) {
        String named = NAMED.get(entity);
        if (named != null) {
            return named;
        }
        if (!entity.startsWith("&#")) {
            return entity;
        }
        String decoded = decodeNumber(entity);
        // ftfy: "If html.unescape only decoded part of the string ... the semicolon should be consumed."
        return decoded.indexOf(';') >= 0 ? entity : decoded;
    }

    /** Python's {@code html.unescape} of a whole {@code &#...;} match (the match itself when it is partial). */
    private static String decodeNumber(String entity) {
        Matcher decimal = DECIMAL.matcher(entity);
        Matcher hexadecimal = HEXADECIMAL.matcher(entity);
        BigInteger number;
        if (decimal.matches()) {
            number = new BigInteger(decimal.group(1), 10);
        } else if (hexadecimal.matches()) {
            number = new BigInteger(hexadecimal.group(1), 16);
        } else {
            return entity;
        }
        if (number.compareTo(BigInteger.valueOf(0x10FFFF)) > 0) {
            return "\uFFFD";
        }
        int codePoint = number.intValue();
        String remapped = REMAPPED_NUMBERS.get(codePoint);
        if (remapped != null) {
            return remapped;
        }
        if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
            return "\uFFFD";
        }
        if (isInvalidCodePoint(codePoint)) {
            return "";
        }
        return new String(Character.toChars(codePoint));
    }

    /** Python's {@code html._invalid_codepoints}: control characters and non-characters decode to nothing. */
    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F)
                || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE;
    }

    private static Map<String, String> loadNamedEntities() {
        Map<String, String> entities = new HashMap<>(4096);
        try (InputStream in = HtmlEntityDecoder.class.getResourceAsStream("html-entities.tsv")) {
            if (in == null) {
                throw new IllegalStateException("html-entities.tsv is missing from the core bundle");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder(2);
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                entities.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(entities);
    }
}
