package org.neologism.concepts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.neologism.concepts.codec.A1111PtCodec;
import org.neologism.concepts.codec.BareTensorCodec;
import org.neologism.concepts.codec.DiffusersSafetensorsCodec;
import org.neologism.concepts.codec.KohyaEmbParamsCodec;
import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.concepts.codec.OneTrainerCodec;
import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.concepts.codec.TextualInversionPtCodec;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.GoldenVariant;

/**
 * One embedding file of the fixtures, as its variant's {@code embeddings.json} records it. Everything a test
 * needs to know about the file (its tensors, their dtypes, the format a user would name it, the trigger our
 * readers give it, what diffusers made of it) comes from the record's data, so the tests hold on any fixture
 * set of the same layout, whatever its file names, triggers and widths.
 *
 * @param variant the golden variant whose {@code embeddings/} folder holds the file
 * @param record  the file's entry in that variant's {@code embeddings.json} {@code files}
 */
public record EmbeddingFixture(GoldenVariant variant, JsonNode record) {

    /** diffusers' plain {@code load_textual_inversion(file)}: recorded for the files of one-encoder models. */
    private static final String ONE_ENCODER_LOAD = "diffusers_load_textual_inversion";
    /** diffusers' per-encoder load into SDXL's two text encoders. */
    private static final String SDXL_LOAD = "diffusers_sdxl_load";
    private static final String STRING_TO_PARAM = "string_to_param";
    private static final String STRING_TO_TOKEN = "string_to_token";
    private static final String EMB_PARAMS = "emb_params";
    private static final String EMP_PARAMS = "emp_params";
    /** The key {@code embeddings.json} gives the one tensor of a bare-tensor file. */
    private static final String BARE_TENSOR = "";

    /** Every file record of every golden variant that has an {@code embeddings.json}, in variant and record order. */
    public static List<EmbeddingFixture> all() {
        List<EmbeddingFixture> all = new ArrayList<>();
        for (GoldenVariant variant : Fixtures.goldenVariants()) {
            if (Files.isRegularFile(variant.file("embeddings.json"))) {
                variant.json("embeddings.json").path("files").forEach(record -> all.add(new EmbeddingFixture(variant, record)));
            }
        }
        if (all.isEmpty()) {
            throw new AssertionError("No embedding file recorded in any embeddings.json under "
                    + Fixtures.root().resolve("golden"));
        }
        return all;
    }

    /** The files recorded for a model with one text encoder: those diffusers' plain load was tried on. */
    public static List<EmbeddingFixture> oneEncoderSet() {
        return nonEmpty(all().stream().filter(f -> f.record.has(ONE_ENCODER_LOAD)).toList(),
                "recorded with " + ONE_ENCODER_LOAD + " (the one-encoder embedding set)");
    }

    /** The SDXL files diffusers loaded into both text encoders (one per file or pair). */
    public static List<EmbeddingFixture> sdxlSet() {
        return nonEmpty(all().stream().filter(f -> f.record.path(SDXL_LOAD).path("ok").asBoolean(false)).toList(),
                "recorded with " + SDXL_LOAD + ".ok (the SDXL embedding set)");
    }

    /** The first of {@code fixtures} that is {@code what}; fails naming what the fixture set lacks. */
    public static EmbeddingFixture find(List<EmbeddingFixture> fixtures, String what, Predicate<EmbeddingFixture> is) {
        return fixtures.stream().filter(is).findFirst().orElseThrow(() -> new AssertionError("The fixtures under "
                + Fixtures.root().resolve("golden") + " hold no embedding file that is " + what));
    }

    /** Every one of {@code fixtures} that is {@code what}; fails naming what the fixture set lacks when there is none. */
    public static List<EmbeddingFixture> every(List<EmbeddingFixture> fixtures, String what, Predicate<EmbeddingFixture> is) {
        return nonEmpty(fixtures.stream().filter(is).toList(), "that is " + what);
    }

    /** A PyTorch dict {trigger: float32[d]} of one vector, as sd-concepts-library folders hold it. */
    public static EmbeddingFixture oneVectorTokenDict() {
        return find(oneEncoderSet(), "a one-vector float32 PyTorch {token: tensor} file", f -> f.isTorchTokenDict()
                && f.vectorCount() == 1 && f.isFloat32());
    }

    /** A PyTorch dict {trigger: float32[n, d]} of several vectors. */
    public static EmbeddingFixture multiVectorTokenDict() {
        return find(oneEncoderSet(), "a multi-vector float32 PyTorch {token: tensor} file", f -> f.isTorchTokenDict()
                && f.vectorCount() > 1 && f.isFloat32());
    }

    /** A bare tensor saved with torch.save, which names no trigger. */
    public static EmbeddingFixture bareTensor() {
        return find(oneEncoderSet(), "a bare tensor", f -> f.format().equals(BareTensorCodec.FORMAT));
    }

    /** The SDXL {clip_l, clip_g} file of {@code variant}'s one-encoder set, which that variant's model must refuse. */
    public static EmbeddingFixture sdxlClipPairOf(GoldenVariant variant) {
        return find(oneEncoderSet(), "an SDXL {clip_l, clip_g} file of " + variant.name(),
                f -> f.variant.equals(variant) && f.isSdxlClipPair());
    }

    /** The variants that have a one-encoder embedding set, in fixture order. */
    public static List<GoldenVariant> oneEncoderVariants() {
        return oneEncoderSet().stream().map(EmbeddingFixture::variant).distinct().toList();
    }

    public Path file() {
        return variant.file(record.path("file").asText());
    }

    public String fileName() {
        return file().getFileName().toString();
    }

    /** The file name without its extension: the trigger readers give files that name none. */
    public String stem() {
        return fileName().replaceFirst("\\.[^.]*$", "");
    }

    /**
     * The tensors the file holds, as {@code expected} records them: the path of each inside the file
     * ({@code <token>}, {@code string_to_param/*}, {@code clip_l}, {@code ""} for a bare tensor) to its shape.
     * Entries that are no shape ({@code name}, {@code step}, {@code string_to_token}'s id) are left out.
     */
    public Map<String, int[]> tensors() {
        Map<String, int[]> tensors = new LinkedHashMap<>();
        collectShapes("", record.path("expected"), tensors);
        if (tensors.isEmpty()) {
            throw new AssertionError(this + ": embeddings.json records no tensor shape in expected");
        }
        return tensors;
    }

    private static void collectShapes(String prefix, JsonNode node, Map<String, int[]> tensors) {
        node.fields().forEachRemaining(field -> {
            String path = prefix.isEmpty() ? field.getKey() : prefix + "/" + field.getKey();
            JsonNode value = field.getValue();
            if (value.isArray()) {
                int[] shape = new int[value.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = value.get(i).asInt();
                }
                tensors.put(path, shape);
            } else if (value.isObject()) {
                collectShapes(path, value, tensors);
            }
        });
    }

    /** The one tensor's path; fails for a file with several (an SDXL {clip_l, clip_g} file). */
    public String onlyTensor() {
        Map<String, int[]> tensors = tensors();
        if (tensors.size() != 1) {
            throw new AssertionError(this + " holds " + tensors.size() + " tensors " + tensors.keySet() + ", not one");
        }
        return tensors.keySet().iterator().next();
    }

    /** The shape of the one tensor. */
    public int[] shape() {
        return tensors().get(onlyTensor());
    }

    /** Vectors per tensor (a 1-D tensor is one vector); all tensors of an SDXL file have as many. */
    public int vectorCount() {
        int[] shape = tensors().values().iterator().next();
        return shape.length == 1 ? 1 : shape[0];
    }

    /** The width of the one tensor. */
    public int width() {
        return width(onlyTensor());
    }

    public int width(String tensor) {
        int[] shape = tensors().get(tensor);
        return shape[shape.length - 1];
    }

    /** Whether the file is SDXL's single-file layout: one tensor per encoder, {clip_l, clip_g}. */
    public boolean isSdxlClipPair() {
        return tensors().keySet().equals(Set.of(SdxlPairCodec.CLIP_L, SdxlPairCodec.CLIP_G));
    }

    /**
     * The format a user would name the file, from the structure {@code expected} records (and, for a plain
     * {token: tensor} dict, the container): {clip_l, clip_g}; a bare tensor; string_to_param with string_to_token
     * (A1111) or alone (the original textual_inversion ParameterDict); emb_params (kohya); emp_params (OneTrainer);
     * else a token dict in safetensors (diffusers) or PyTorch (learned_embeds.bin).
     */
    public String format() {
        JsonNode expected = record.path("expected");
        if (isSdxlClipPair()) {
            return SdxlPairCodec.FORMAT;
        }
        if (expected.has(BARE_TENSOR) || !record.path("diffusers_token_arg").isMissingNode()
                && !record.path("diffusers_token_arg").isNull()) {
            return BareTensorCodec.FORMAT;
        }
        if (expected.has(STRING_TO_PARAM)) {
            return expected.has(STRING_TO_TOKEN) ? A1111PtCodec.FORMAT : TextualInversionPtCodec.FORMAT;
        }
        if (expected.has(EMB_PARAMS)) {
            return KohyaEmbParamsCodec.FORMAT;
        }
        if (expected.has(EMP_PARAMS)) {
            return OneTrainerCodec.FORMAT;
        }
        return isSafetensors() ? DiffusersSafetensorsCodec.FORMAT : LearnedEmbedsBinCodec.FORMAT;
    }

    /** A {token: tensor} dict in a PyTorch file, the learned_embeds.bin layout. */
    public boolean isTorchTokenDict() {
        return format().equals(LearnedEmbedsBinCodec.FORMAT);
    }

    /** Whether the file is safetensors (an 8-byte little-endian header length, then the JSON header) rather than PyTorch. */
    public boolean isSafetensors() {
        try (InputStream in = Files.newInputStream(file())) {
            byte[] start = in.readNBytes(9);
            if (start.length < 9 || start[8] != '{') {
                return false;
            }
            long headerLength = ByteBuffer.wrap(start, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return headerLength > 1 && headerLength < Files.size(file());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the fixture " + file(), e);
        }
    }

    /** Whether the file is a PyTorch pickle in torch.save's legacy layout (no zip archive). */
    public boolean isLegacyTorchPickle() {
        try (InputStream in = Files.newInputStream(file())) {
            byte[] start = in.readNBytes(2);
            return !isSafetensors() && !(start.length == 2 && start[0] == 'P' && start[1] == 'K');
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the fixture " + file(), e);
        }
    }

    /** The variant's {@code embeddings_expected.safetensors}: every tensor as PyTorch saved it, and diffusers' rows. */
    public SafetensorsFile expected() throws IOException {
        return SafetensorsFile.open(variant.file("embeddings_expected.safetensors"));
    }

    /** The {@code embeddings_expected} key of {@code tensor} as the file stores it: {@code <file>/<path>}, or {@code <file>}. */
    public String expectedKey(String tensor) {
        return tensor.isEmpty() ? fileName() : fileName() + "/" + tensor;
    }

    /** The key of the tensor's values as float32: its {@code .as_float32} copy for fp16/bf16, else the tensor itself. */
    public String expectedFloatKey(SafetensorsFile expected, String tensor) {
        String key = expectedKey(tensor);
        return expected.contains(key + ".as_float32") ? key + ".as_float32" : key;
    }

    /**
     * The dtype the file stores {@code tensor} in, as safetensors names it (F32, F16, BF16): its entry in
     * {@code embeddings_expected}, which must agree with the record's {@code dtypes} where the record gives them.
     */
    public String dtype(String tensor) {
        String stored;
        try (SafetensorsFile expected = expected()) {
            stored = expected.entry(expectedKey(tensor)).dtype().name();
        } catch (IOException e) {
            throw new UncheckedIOException(variant.file("embeddings_expected.safetensors").toString(), e);
        }
        JsonNode recorded = record.path("dtypes").path(tensor);
        if (recorded.isTextual() && !stored.equals(SAFETENSORS_DTYPES.get(recorded.asText()))) {
            throw new AssertionError(this + ": embeddings.json records " + tensor + " as " + recorded.asText()
                    + ", embeddings_expected stores it as " + stored);
        }
        return stored;
    }

    /** PyTorch's dtype names, as embeddings.json's {@code dtypes} give them, to safetensors'. */
    private static final Map<String, String> SAFETENSORS_DTYPES = Map.of("float32", "F32", "float16", "F16",
            "bfloat16", "BF16", "float64", "F64");

    /** The dtype all of the file's tensors share (fails if they differ). */
    public String dtype() {
        List<String> dtypes = tensors().keySet().stream().map(this::dtype).distinct().toList();
        if (dtypes.size() != 1) {
            throw new AssertionError(this + " stores its tensors in several dtypes " + dtypes);
        }
        return dtypes.get(0);
    }

    public boolean isFloat32() {
        return dtype().equals("F32");
    }

    /** diffusers' plain {@code load_textual_inversion(file)} of a one-encoder model (a missing node if not tried). */
    public JsonNode diffusersLoad() {
        return record.path(ONE_ENCODER_LOAD);
    }

    /** Whether diffusers' plain load took the file. */
    public boolean diffusersLoadsIt() {
        return diffusersLoad().path("ok").asBoolean(false);
    }

    /** The tokens diffusers' plain load added: the trigger, then {@code <trigger>_1} ... for further vectors. */
    public List<String> diffusersTokens() {
        List<String> tokens = new ArrayList<>();
        diffusersLoad().path("added_tokens").forEach(token -> tokens.add(token.asText()));
        return tokens;
    }

    /** The {@code embeddings_expected} key of the rows diffusers' plain load added to the token embedding. */
    public String diffusersRowsKey() {
        return diffusersLoad().path("rows_key").asText();
    }

    /** diffusers' load into one of SDXL's encoders ({@code text_encoder} or {@code text_encoder_2}). */
    public JsonNode sdxlLoad(String encoder) {
        return record.path(SDXL_LOAD).path(encoder);
    }

    /**
     * The trigger our readers give the file. A {token: tensor} dict names it; an A1111 / original textual_inversion
     * file by its {@code name}, which is what diffusers took; where diffusers takes a key for the token
     * ({@code emb_params}), needs {@code token=} (a bare tensor) or refuses the file ({clip_l, clip_g}), the file
     * name gives it, as A1111 does.
     */
    public String trigger() {
        String format = format();
        if (format.equals(LearnedEmbedsBinCodec.FORMAT) || format.equals(DiffusersSafetensorsCodec.FORMAT)) {
            return onlyTensor();
        }
        if (format.equals(A1111PtCodec.FORMAT) || format.equals(TextualInversionPtCodec.FORMAT)) {
            JsonNode name = record.path("expected").path("name");
            if (name.isTextual()) {
                return name.asText();
            }
            if (diffusersLoadsIt()) {
                return diffusersTokens().get(0);
            }
        }
        return stem();
    }

    /** Whether diffusers' plain load names the file's token as our readers do (it differs on purpose otherwise). */
    public boolean diffusersNamesItAsWeDo() {
        String format = format();
        return diffusersLoadsIt() && !format.equals(BareTensorCodec.FORMAT) && !format.equals(KohyaEmbParamsCodec.FORMAT)
                && !format.equals(OneTrainerCodec.FORMAT);
    }

    private static List<EmbeddingFixture> nonEmpty(List<EmbeddingFixture> fixtures, String what) {
        if (fixtures.isEmpty()) {
            throw new AssertionError("The fixtures under " + Fixtures.root().resolve("golden")
                    + " hold no embedding file " + what);
        }
        return fixtures;
    }

    @Override
    public String toString() {
        return file().toString();
    }
}
