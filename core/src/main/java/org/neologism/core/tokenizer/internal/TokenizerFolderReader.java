package org.neologism.core.tokenizer.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.neologism.core.tokenizer.InvalidTokenizerFolderException;

/**
 * Reads the files {@code CLIPTokenizer.from_pretrained(folder)} reads: {@code vocab.json}, {@code merges.txt},
 * and when present {@code tokenizer_config.json}, {@code special_tokens_map.json} (whose entries win over the
 * config's) and {@code added_tokens.json}. Special tokens default to CLIPTokenizer's own defaults.
 */
public final class TokenizerFolderReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Everything a tokenizer folder says, before any token is added. */
    public record TokenizerFiles(
            Map<String, Integer> vocabulary,
            List<String> mergeLines,
            SpecialTokens specialTokens,
            int modelMaxLength,
            List<String> addedTokensInIdOrder,
            Map<String, Integer> addedTokenIds) {
    }

    /** The special-token strings, in HF's attribute order (bos, eos, unk, pad, additional). */
    public record SpecialTokens(String bos, String eos, String unk, String pad, List<String> additional) {

        /** HF's {@code all_special_tokens}: every special token once, in attribute order. */
        public List<String> all() {
            List<String> all = new ArrayList<>();
            for (String token : concat(List.of(bos, eos, unk, pad), additional)) {
                if (token != null && !all.contains(token)) {
                    all.add(token);
                }
            }
            return all;
        }

        private static List<String> concat(List<String> first, List<String> second) {
            List<String> joined = new ArrayList<>(first);
            joined.addAll(second);
            return joined;
        }
    }

    private TokenizerFolderReader() {
    }

    public static TokenizerFiles read(Path folder) throws InvalidTokenizerFolderException {
        if (!Files.isDirectory(folder)) {
            throw new InvalidTokenizerFolderException(folder,
                    "is not a folder; pass the model's tokenizer/ folder (vocab.json, merges.txt, ...)");
        }
        Path vocabFile = folder.resolve("vocab.json");
        Map<String, Integer> vocabulary = parse(vocabFile, required(vocabFile), node -> {
            Map<String, Integer> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asInt()));
            return map;
        });
        if (vocabulary.isEmpty()) {
            throw new InvalidTokenizerFolderException(vocabFile, "holds no tokens; the file is empty or truncated");
        }
        Path mergesFile = folder.resolve("merges.txt");
        List<String> mergeLines = mergeLines(required(mergesFile));

        Path configFile = folder.resolve("tokenizer_config.json");
        JsonNode config = parse(configFile, optional(configFile), Function.identity());
        Path mapFile = folder.resolve("special_tokens_map.json");
        JsonNode specialMap = parse(mapFile, optional(mapFile), Function.identity());
        SpecialTokens specials = new SpecialTokens(
                special("bos_token", "<|startoftext|>", specialMap, config),
                special("eos_token", "<|endoftext|>", specialMap, config),
                special("unk_token", "<|endoftext|>", specialMap, config),
                special("pad_token", "<|endoftext|>", specialMap, config),
                additionalSpecials(specialMap, config));

        JsonNode maxLength = config == null ? null : config.get("model_max_length");
        if (maxLength == null || !maxLength.canConvertToInt() || maxLength.asInt() < 2) {
            throw new InvalidTokenizerFolderException(configFile, "has no usable model_max_length (found "
                    + maxLength + "); Stable Diffusion's CLIP tokenizer needs \"model_max_length\": 77");
        }

        Path addedFile = folder.resolve("added_tokens.json");
        Map<String, Integer> added = parse(addedFile, optional(addedFile), node -> {
            Map<String, Integer> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asInt()));
            return map;
        });
        List<String> addedInIdOrder = new ArrayList<>();
        if (added != null) {
            added.entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(entry -> addedInIdOrder.add(entry.getKey()));
        }
        return new TokenizerFiles(Map.copyOf(vocabulary), mergeLines, specials, maxLength.asInt(),
                List.copyOf(addedInIdOrder), added == null ? Map.of() : Map.copyOf(added));
    }

    /** HF: {@code read().strip().split("\n")[1:]}, the first line being {@code #version: ...}. */
    private static List<String> mergeLines(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8).strip();
        List<String> lines = Arrays.asList(text.split("\n", -1));
        return lines.size() <= 1 ? List.of() : List.copyOf(lines.subList(1, lines.size()));
    }

    private static String special(String key, String defaultValue, JsonNode specialMap, JsonNode config) {
        for (JsonNode source : new JsonNode[] {specialMap, config}) {
            if (source != null && source.has(key) && !source.get(key).isNull()) {
                return content(source.get(key));
            }
        }
        return defaultValue;
    }

    private static List<String> additionalSpecials(JsonNode specialMap, JsonNode config) {
        for (JsonNode source : new JsonNode[] {specialMap, config}) {
            JsonNode list = source == null ? null : source.get("additional_special_tokens");
            if (list != null && list.isArray()) {
                List<String> tokens = new ArrayList<>();
                list.forEach(item -> tokens.add(content(item)));
                return List.copyOf(tokens);
            }
        }
        return List.of();
    }

    /** A special token is written either as a string or as a serialised AddedToken with a "content" field. */
    private static String content(JsonNode value) {
        return value.isObject() ? value.path("content").asText() : value.asText();
    }

    private static byte[] required(Path file) throws InvalidTokenizerFolderException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidTokenizerFolderException(file,
                    "is missing; a diffusers tokenizer/ folder holds vocab.json and merges.txt", e);
        } catch (IOException e) {
            throw new InvalidTokenizerFolderException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static byte[] optional(Path file) throws InvalidTokenizerFolderException {
        return Files.exists(file) ? required(file) : null;
    }

    private static <T> T parse(Path file, byte[] content, Function<JsonNode, T> reader)
            throws InvalidTokenizerFolderException {
        if (content == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(content);
            if (node == null || !node.isObject()) {
                throw new InvalidTokenizerFolderException(file, "is not a JSON object; the file is damaged");
            }
            return reader.apply(node);
        } catch (JsonProcessingException e) {
            throw new InvalidTokenizerFolderException(file,
                    "is not valid JSON (" + e.getOriginalMessage() + "); restore it from the model", e);
        } catch (IOException e) {
            throw new InvalidTokenizerFolderException(file, "cannot be read: " + e.getMessage(), e);
        }
    }
}
