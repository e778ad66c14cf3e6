package org.neologism.core.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.neologism.core.tokenizer.internal.ByteLevelAlphabet;

/**
 * OpenAI CLIP's BPE vocabulary, shipped inside Neologism ({@code clip/bpe_simple_vocab_16e6.txt.gz}, MIT
 * licence beside it): the tokenizer of SD 1.x, SD 2.x and both SDXL encoders, which single-file checkpoints do
 * not carry. The 49,408 tokens follow from the merge list as CLIP's {@code simple_tokenizer.py} builds them:
 * the 256 byte characters, the same with {@code </w>}, one token per merge, then the start and end tokens.
 */
public final class ClipVocabularyFiles {

    /** Merges used by CLIP: 49152 − 256 − 2 lines after the header. */
    static final int MERGES = 49152 - 256 - 2;
    private static final String RESOURCE = "clip/bpe_simple_vocab_16e6.txt.gz";
    private static volatile ClipVocabularyFiles loaded;

    private final List<String> merges;
    private final Map<String, Integer> vocabulary;

    private ClipVocabularyFiles(List<String> merges) {
        this.merges = Collections.unmodifiableList(merges);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> bytes = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            bytes.add(String.valueOf(ByteLevelAlphabet.charOf(byteInClipOrder(b))));
        }
        bytes.forEach(t -> vocab.put(t, vocab.size()));
        bytes.forEach(t -> vocab.put(t + "</w>", vocab.size()));
        for (String merge : merges) {
            vocab.putIfAbsent(merge.replace(" ", ""), vocab.size());
        }
        vocab.put(ClipTokenizer.START_OF_TEXT, vocab.size());
        vocab.put(ClipTokenizer.END_OF_TEXT, vocab.size());
        this.vocabulary = Collections.unmodifiableMap(vocab);
    }

    /** The bundled vocabulary (read once). */
    public static ClipVocabularyFiles bundled() {
        ClipVocabularyFiles files = loaded;
        if (files == null) {
            synchronized (ClipVocabularyFiles.class) {
                if (loaded == null) {
                    loaded = new ClipVocabularyFiles(readMerges());
                }
                files = loaded;
            }
        }
        return files;
    }

    private static List<String> readMerges() {
        try (InputStream raw = ClipVocabularyFiles.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("the bundled CLIP vocabulary " + RESOURCE + " is missing from the"
                        + " core bundle; the installation is damaged");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.UTF_8));
            reader.readLine(); // header
            List<String> merges = new ArrayList<>(MERGES);
            String line;
            while (merges.size() < MERGES && (line = reader.readLine()) != null) {
                merges.add(line);
            }
            return merges;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled CLIP vocabulary " + RESOURCE, e);
        }
    }

    /**
     * bytes_to_unicode's order: the printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') first, then the rest; the
     * n-th entry is the byte value, whose character {@link ByteLevelAlphabet#charOf} gives.
     */
    private static int byteInClipOrder(int index) {
        List<Integer> order = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            order.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            order.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            order.add(b);
        }
        for (int b = 0; b < 256; b++) {
            if (!order.contains(b)) {
                order.add(b);
            }
        }
        return order.get(index);
    }

    /** Token → id, 49,408 entries. */
    public Map<String, Integer> vocabulary() {
        return vocabulary;
    }

    /** The merges ("a b"), in rank order. */
    public List<String> merges() {
        return merges;
    }

    /**
     * Writes a diffusers {@code tokenizer/} folder (vocab.json, merges.txt, special_tokens_map.json,
     * tokenizer_config.json) as transformers saves CLIP's tokenizer, padding with {@code padToken}.
     */
    public void writeTokenizerFolder(Path folder, String padToken) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.createDirectories(folder);
        json.writeValue(folder.resolve("vocab.json").toFile(), vocabulary);
        Files.writeString(folder.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", ClipTokenizer.START_OF_TEXT);
        special.put("eos_token", ClipTokenizer.END_OF_TEXT);
        special.put("pad_token", padToken);
        special.put("unk_token", ClipTokenizer.END_OF_TEXT);
        json.writeValue(folder.resolve("special_tokens_map.json").toFile(), special);
        Map<String, Object> config = new LinkedHashMap<>(special);
        config.put("model_max_length", 77);
        config.put("tokenizer_class", "CLIPTokenizer");
        json.writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
    }
}
