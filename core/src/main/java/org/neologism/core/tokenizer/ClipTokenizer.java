package org.neologism.core.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neologism.core.tokenizer.internal.AddedTokenSplitter;
import org.neologism.core.tokenizer.internal.AddedTokenSplitter.Piece;
import org.neologism.core.tokenizer.internal.ByteLevelAlphabet;
import org.neologism.core.tokenizer.internal.BytePairEncoder;
import org.neologism.core.tokenizer.internal.ClipPreTokenizer;
import org.neologism.core.tokenizer.internal.ClipTextNormalizer;
import org.neologism.core.tokenizer.internal.TokenizerFolderReader;
import org.neologism.core.tokenizer.internal.TokenizerFolderReader.SpecialTokens;
import org.neologism.core.tokenizer.internal.TokenizerFolderReader.TokenizerFiles;

/**
 * Stable Diffusion's CLIP tokenizer, giving the ids of HF transformers' slow {@code CLIPTokenizer} (4.33, ftfy
 * installed) for a diffusers {@code tokenizer/} folder.
 *
 * <p>Text is first cut around unsplittable tokens (special tokens such as {@code <|endoftext|>} or an SD 2.x
 * pad token {@code !}, and added tokens such as {@code <cat-toy>}): earliest, then longest match, exact case.
 * Every other span is fixed with ftfy (HTML entities, quotes, widths, ligatures, control characters, NFC),
 * whitespace-collapsed, lower-cased, split into words by CLIP's pattern and byte-pair encoded. Not mirrored:
 * ftfy's mojibake repair (text such as {@code cafÃ©} is tokenized as written).
 *
 * <p>Adding tokens mutates the tokenizer (like HF's {@code add_tokens}); encoding is thread-safe.
 */
public final class ClipTokenizer {

    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";

    private final Path folder;
    private final Map<String, Integer> vocabulary;
    private final Map<Integer, String> vocabularyTokens;
    private final BytePairEncoder bytePairEncoder;
    private final SpecialTokens specialTokens;
    private final int maxLength;
    private final int unkId;
    private volatile AddedTokens added;

    /** Added tokens and the splitter for every unsplittable token, replaced as a whole when tokens are added. */
    private record AddedTokens(Map<String, Integer> ids, Map<Integer, String> tokens, AddedTokenSplitter splitter) {
    }

    private ClipTokenizer(Path folder, TokenizerFiles files) {
        this.folder = folder;
        this.vocabulary = files.vocabulary();
        Map<Integer, String> inverse = new HashMap<>();
        vocabulary.forEach((token, id) -> inverse.put(id, token));
        this.vocabularyTokens = Map.copyOf(inverse);
        this.specialTokens = files.specialTokens();
        this.bytePairEncoder = BytePairEncoder.fromMerges(files.mergeLines(),
                List.of("<|startoftext|>", "<|endoftext|>"));
        this.maxLength = files.modelMaxLength();
        this.unkId = vocabulary.getOrDefault(specialTokens.unk(), -1);
        this.added = new AddedTokens(Map.of(), Map.of(), new AddedTokenSplitter(specialTokens.all()));
    }

    /**
     * Reads a diffusers {@code tokenizer/} folder: {@code vocab.json}, {@code merges.txt},
     * {@code tokenizer_config.json} ({@code model_max_length}) and, when present, {@code special_tokens_map.json}
     * and {@code added_tokens.json}. Special tokens missing from the vocabulary are added, as HF does.
     */
    public static ClipTokenizer load(Path tokenizerFolder) throws InvalidTokenizerFolderException {
        TokenizerFiles files = TokenizerFolderReader.read(tokenizerFolder);
        ClipTokenizer tokenizer = new ClipTokenizer(tokenizerFolder, files);
        if (tokenizer.unkId < 0) {
            throw new InvalidTokenizerFolderException(tokenizerFolder.resolve("vocab.json"), "lacks the unknown token "
                    + files.specialTokens().unk() + "; the vocabulary does not belong to this tokenizer");
        }
        for (String token : files.addedTokensInIdOrder()) {
            int expected = tokenizer.vocabularySize();
            if (files.addedTokenIds().get(token) != expected) {
                throw new InvalidTokenizerFolderException(tokenizerFolder.resolve("added_tokens.json"),
                        "Non-consecutive added token '" + token + "' found. Should have index " + expected
                                + " but has index " + files.addedTokenIds().get(token) + " in saved vocabulary.");
            }
            tokenizer.addTokens(List.of(token));
        }
        tokenizer.addTokens(files.specialTokens().all());
        return tokenizer;
    }

    /**
     * The tokenizer of every Stable Diffusion text encoder, from the CLIP vocabulary shipped with Neologism
     * ({@link ClipVocabularyFiles}), as {@code CLIPTokenizer.from_pretrained} gives it for
     * openai/clip-vit-large-patch14 ({@code padToken} {@code <|endoftext|>}) or stabilityai/stable-diffusion-2's
     * tokenizer ({@code padToken} {@code !}). {@link #folder()} is null.
     */
    public static ClipTokenizer bundled(String padToken) {
        ClipVocabularyFiles vocabulary = ClipVocabularyFiles.bundled();
        TokenizerFiles files = new TokenizerFiles(vocabulary.vocabulary(), vocabulary.merges(),
                new SpecialTokens(START_OF_TEXT, END_OF_TEXT, END_OF_TEXT, padToken, List.of()), 77, List.of(), Map.of());
        ClipTokenizer tokenizer = new ClipTokenizer(null, files);
        tokenizer.addTokens(files.specialTokens().all());
        return tokenizer;
    }

    /**
     * HF {@code add_tokens}: adds each token that is not yet known (and is not the unknown token), in order,
     * with ids from {@link #vocabularySize()} onwards, and makes it unsplittable.
     *
     * @return the ids of the tokens actually added, in order (empty when all were known)
     */
    public synchronized int[] addTokens(List<String> tokens) {
        AddedTokens before = added;
        Map<String, Integer> ids = new LinkedHashMap<>(before.ids());
        Map<Integer, String> names = new HashMap<>(before.tokens());
        List<Integer> newIds = new ArrayList<>();
        for (String token : tokens) {
            if (isKnown(token, ids)) {
                continue;
            }
            int id = vocabulary.size() + ids.size();
            ids.put(token, id);
            names.put(id, token);
            newIds.add(id);
        }
        if (!newIds.isEmpty()) {
            List<String> unsplittable = new ArrayList<>(specialTokens.all());
            unsplittable.addAll(ids.keySet());
            added = new AddedTokens(Map.copyOf(ids), Map.copyOf(names), new AddedTokenSplitter(unsplittable));
        }
        return newIds.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The checks and token additions of diffusers' textual-inversion script: adds {@code placeholder} and, for
     * more than one vector, {@code placeholder_1 .. placeholder_{n-1}}.
     *
     * @return the ids of the {@code numVectors} new tokens
     * @throws IllegalArgumentException with diffusers' message when {@code numVectors < 1} or when any of
     *     these tokens already exists (nothing is added then)
     */
    public synchronized int[] addPlaceholderTokens(String placeholder, int numVectors) {
        List<String> tokens = placeholderTokens(placeholder, numVectors);
        for (String token : tokens) {
            if (isKnown(token, added.ids()) || tokens.indexOf(token) != tokens.lastIndexOf(token)) {
                throw new IllegalArgumentException("The tokenizer already contains the token " + placeholder
                        + ". Please pass a different `placeholder_token` that is not already in the tokenizer.");
            }
        }
        return addTokens(tokens);
    }

    /**
     * The id whose embedding initialises the placeholder vectors: {@code initializer} must encode to exactly
     * one token.
     *
     * @throws IllegalArgumentException "The initializer token must be a single token." (diffusers' message)
     */
    public int initializerTokenId(String initializer) {
        int[] ids = encode(initializer);
        if (ids.length != 1) {
            throw new IllegalArgumentException("The initializer token must be a single token.");
        }
        return ids[0];
    }

    /**
     * The tokens diffusers adds for a placeholder trained with {@code numVectors} vectors:
     * {@code [P, P_1, ..., P_{n-1}]}.
     */
    public static List<String> placeholderTokens(String placeholder, int numVectors) {
        if (numVectors < 1) {
            throw new IllegalArgumentException(
                    "--num_vectors has to be larger or equal to 1, but is " + numVectors);
        }
        List<String> tokens = new ArrayList<>(numVectors);
        tokens.add(placeholder);
        for (int i = 1; i < numVectors; i++) {
            tokens.add(placeholder + "_" + i);
        }
        return List.copyOf(tokens);
    }

    /**
     * What the training prompts use in place of the trigger: {@code "<cat-toy> <cat-toy>_1 <cat-toy>_2"} for
     * three vectors (diffusers joins the placeholder tokens with spaces).
     */
    public static String expandPlaceholder(String placeholder, int numVectors) {
        return String.join(" ", placeholderTokens(placeholder, numVectors));
    }

    /**
     * diffusers' {@code maybe_convert_prompt}: every added token {@code T} found in the prompt is replaced
     * (everywhere in the prompt text) by {@code T T_1 ... T_k} for the consecutive {@code T_i} that are also
     * added tokens, so a multi-vector embedding is used whole. Tokens are handled in order of first appearance.
     */
    public String expandMultiVectorTokens(String prompt) {
        Map<String, Integer> addedIds = added.ids();
        Set<String> present = new LinkedHashSet<>(tokenize(prompt));
        String expanded = prompt;
        for (String token : present) {
            if (!addedIds.containsKey(token)) {
                continue;
            }
            StringBuilder replacement = new StringBuilder(token);
            for (int i = 1; addedIds.containsKey(token + "_" + i); i++) {
                replacement.append(' ').append(token).append('_').append(i);
            }
            expanded = expanded.replace(token, replacement);
        }
        return expanded;
    }

    /** The ids of {@code text} without BOS/EOS, padding or truncation (HF {@code encode(add_special_tokens=False)}). */
    public int[] encode(String text) {
        return tokenize(text).stream().mapToInt(this::idOrUnknown).toArray();
    }

    /**
     * The model input for {@code text}: BOS, at most {@code maxLength - 2} tokens, EOS, then the pad token up to
     * {@link #maxLength()} (HF {@code padding="max_length", truncation=True}); a long prompt keeps EOS last.
     */
    public int[] encodePadded(String text) {
        int[] tokens = encode(text);
        int kept = Math.min(tokens.length, maxLength - 2);
        int[] ids = new int[maxLength];
        ids[0] = bosId();
        System.arraycopy(tokens, 0, ids, 1, kept);
        ids[kept + 1] = eosId();
        Arrays.fill(ids, kept + 2, maxLength, padId());
        return ids;
    }

    /** The token strings of {@code text}, e.g. {@code ["a</w>", "photo</w>", "<cat-toy>"]} (HF {@code tokenize}). */
    public List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        for (Piece piece : added.splitter().split(text)) {
            if (piece.isToken()) {
                tokens.add(piece.text());
                continue;
            }
            // HF also strips whitespace next to an unsplittable token; the normalisation below strips anyway.
            for (String word : ClipPreTokenizer.words(ClipTextNormalizer.normalize(piece.text()))) {
                tokens.addAll(bytePairEncoder.encode(ByteLevelAlphabet.spell(word)));
            }
        }
        return tokens;
    }

    /** The number of tokens of {@code text} before BOS/EOS are added and before truncation. */
    public int tokenCount(String text) {
        return tokenize(text).size();
    }

    /** Whether {@code token} is in the vocabulary or was added. */
    public boolean contains(String token) {
        return added.ids().containsKey(token) || vocabulary.containsKey(token);
    }

    /**
     * The id of a token string of the vocabulary or an added token.
     *
     * @throws IllegalArgumentException when the tokenizer does not know {@code token}
     */
    public int idOf(String token) {
        Integer id = added.ids().get(token);
        if (id == null) {
            id = vocabulary.get(token);
        }
        if (id == null) {
            throw new IllegalArgumentException("Token " + token + " is not in the vocabulary of " + source());
        }
        return id;
    }

    /** The token string of {@code id} (HF {@code convert_ids_to_tokens}). */
    public String tokenOf(int id) {
        String token = added.tokens().get(id);
        if (token == null) {
            token = vocabularyTokens.get(id);
        }
        if (token == null) {
            throw new IllegalArgumentException("Id " + id + " is outside the vocabulary of " + source()
                    + " (" + vocabularySize() + " tokens)");
        }
        return token;
    }

    /** HF {@code len(tokenizer)}: vocabulary plus added tokens, i.e. the rows the token embedding needs. */
    public int vocabularySize() {
        return vocabulary.size() + added.ids().size();
    }

    /** The ids of the added tokens, by token, in the order they were added. */
    public Map<String, Integer> addedTokens() {
        return added.ids();
    }

    public int maxLength() {
        return maxLength;
    }

    public int bosId() {
        return idOrUnknown(specialTokens.bos());
    }

    public int eosId() {
        return idOrUnknown(specialTokens.eos());
    }

    /** The model's own pad token: {@code <|endoftext|>} for SD 1.x, {@code !} (id 0) for SD 2.x. */
    public int padId() {
        return idOrUnknown(specialTokens.pad());
    }

    public int unknownId() {
        return unkId;
    }

    private Object source() {
        return folder == null ? "the bundled CLIP vocabulary" : folder;
    }

    /** The tokenizer folder it was read from; null for {@link #bundled}. */
    public Path folder() {
        return folder;
    }

    /** HF's test in add_tokens: a token is new when it is not the unknown token and maps to the unknown id. */
    private boolean isKnown(String token, Map<String, Integer> addedIds) {
        if (token.equals(specialTokens.unk())) {
            return true;
        }
        Integer id = addedIds.get(token);
        if (id == null) {
            id = vocabulary.get(token);
        }
        return id != null && id != unkId;
    }

    private int idOrUnknown(String token) {
        Integer id = added.ids().get(token);
        if (id == null) {
            id = vocabulary.get(token);
        }
        return id == null ? unkId : id;
    }
}
