package org.neologism.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neologism.core.tensors.DType;
import org.neologism.testsupport.Fixtures;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.single.InferredConfigs;
import org.neologism.trainer.model.single.LdmConfig;
import org.neologism.trainer.model.single.OriginalCheckpoint;
import org.neologism.trainer.model.single.OriginalLayout;
import org.neologism.trainer.model.single.SingleFileModel;
import org.neologism.trainer.model.single.SingleFileOptions;

/**
 * The architecture follows from keys and shapes alone: for every tiny single file the inferred configs equal
 * the fixtures' inferred_from_keys (which match the diffusers folders); for the real SD 1.5 / SD 2.1 / SDXL
 * key inventories they equal diffusers' configs from the real YAMLs, including the values no shape tells.
 */
class SingleFileArchitectureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<String> variants() throws Exception {
        List<String> variants = new ArrayList<>();
        JSON.readTree(Fixtures.root().resolve("single-file/index.json").toFile()).path("variants").fieldNames()
                .forEachRemaining(variants::add);
        return variants;
    }

    static List<Path> inventories() throws Exception {
        try (Stream<Path> files = Files.list(Fixtures.root().resolve("single-file/real-architectures"))) {
            List<Path> found = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertTrue(!found.isEmpty(), "no real-architecture inventories");
            return found;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void tinyArchitecturesFromKeysMatchTheFolders(String variant) throws Exception {
        JsonNode expected = SingleFileKeyMappingTest.expected(variant);
        assertTrue(expected.path("inferred_from_keys").path("matches_folder_config").asBoolean());
        JsonNode result = expected.path("inferred_from_keys").path("result");
        Path file = SingleFileKeyMappingTest.variantDir(variant).resolve("model.safetensors");
        try (OriginalCheckpoint checkpoint = OriginalCheckpoint.open(file)) {
            OriginalLayout layout = OriginalLayout.of(checkpoint);
            InferredConfigs configs = InferredConfigs.of(checkpoint, layout, null);
            assertFields(variant + " unet", result.path("unet"), configs.unet("epsilon"));
            assertFields(variant + " vae", result.path("vae"), configs.vae("epsilon"));
            for (Iterator<Map.Entry<String, JsonNode>> it = result.path("text").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> text = it.next();
                Object config = text.getKey().equals("text_encoder_2") ? configs.textEncoder2() : configs.textEncoder();
                assertFields(variant + " " + text.getKey(), without(text.getValue(), "prefix", "open_clip_blocks"),
                        config);
            }
        }
    }

    /**
     * The LDM YAML beside each file gives what shapes do not: head counts (as diffusers derives them from it),
     * v-prediction and the VAE's scale factor, matching the diffusers folder wherever the YAML can express it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theLdmYamlGivesHeadsPredictionAndScaleFactor(String variant) throws Exception {
        JsonNode expected = SingleFileKeyMappingTest.expected(variant);
        Path dir = SingleFileKeyMappingTest.variantDir(variant);
        Path folder = Fixtures.root().resolve(expected.path("source_folder").path("path").asText());
        LdmConfig yaml = LdmConfig.read(dir.resolve(expected.path("yaml").path("file").asText()));
        JsonNode unetFolder = JSON.readTree(folder.resolve("unet/config.json").toFile());
        JsonNode vaeFolder = JSON.readTree(folder.resolve("vae/config.json").toFile());
        JsonNode scheduler = JSON.readTree(folder.resolve("scheduler/scheduler_config.json").toFile());
        JsonNode differences = expected.path("yaml").path("diffusers_config_from_yaml_vs_folder").path("unet");
        JsonNode heads = differences.has("attention_head_dim")
                ? differences.path("attention_head_dim").path("from_yaml") : unetFolder.path("attention_head_dim");
        try (OriginalCheckpoint checkpoint = OriginalCheckpoint.open(dir.resolve("model.safetensors"))) {
            InferredConfigs configs = InferredConfigs.of(checkpoint, OriginalLayout.of(checkpoint), yaml);
            String prediction = yaml.predictionType().orElse("epsilon");
            assertEquals(scheduler.path("prediction_type").asText("epsilon"), prediction, variant + " prediction");
            assertFields(variant + " unet from YAML", JSON.createObjectNode().set("attention_head_dim", heads),
                    configs.unet(prediction));
            assertFields(variant + " vae from YAML", JSON.createObjectNode().set("scaling_factor",
                    vaeFolder.path("scaling_factor")), configs.vae(prediction));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inventories")
    void realArchitecturesGetDiffusersConfigs(Path inventory) throws Exception {
        JsonNode json = JSON.readTree(inventory.toFile());
        String name = inventory.getFileName().toString();
        JsonNode diffusers = json.path("diffusers_0.31");
        try (OriginalCheckpoint checkpoint = inventoryOf(inventory, json)) {
            OriginalLayout layout = OriginalLayout.of(checkpoint);
            InferredConfigs configs = InferredConfigs.of(checkpoint, layout, null);
            configs.unet("epsilon");
            configs.requireStandardSizes();
            // sample_size depends on v-prediction, which no key tells (checked with the option below).
            assertFields(name + " unet", without(diffusers.path("unet_config_from_yaml"), "sample_size", "class_embed_type"),
                    configs.unet("epsilon"));
            assertFields(name + " vae", without(diffusers.path("vae_config_from_yaml"), "sample_size"),
                    configs.vae("epsilon"));
            JsonNode texts = diffusers.path("text_encoder_configs_used_here");
            assertFields(name + " text_encoder", without(texts.path("text_encoder"), "projection_dim"),
                    configs.textEncoder());
            if (texts.has("text_encoder_2")) {
                assertFields(name + " text_encoder_2", texts.path("text_encoder_2"), configs.textEncoder2());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = diffusers.path("conversion").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> component = it.next();
                OriginalLayout.Component which = OriginalLayout.Component.valueOf(component.getKey().toUpperCase());
                assertEquals(component.getValue().path("model_params").asInt(), layout.tensors(which).size(),
                        name + " " + component.getKey() + ": tensors mapped");
            }
            for (String key : layout.unused()) {
                assertTrue(diffusers.path("ignored_keys").has(key) || key.startsWith("model_ema."),
                        name + ": " + key + " is not used, but diffusers does not ignore it");
            }
            // Every parameter of Neologism's networks (SDXL: both encoders) is found with its shape, at full size.
            SingleFileModel model = SingleFileModel.of(checkpoint, new SingleFileOptions(null,
                    diffusers.path("unet_config_from_yaml").path("sample_size").asInt() == 96 ? "v_prediction"
                            : "epsilon", null));
            assertEquals(diffusers.path("unet_config_from_yaml").path("sample_size").asInt(),
                    model.unetConfig().sampleSize(), name + " unet sample_size");
            assertEquals(diffusers.path("vae_config_from_yaml").path("sample_size").asInt(),
                    model.vaeConfig().sampleSize(), name + " vae sample_size");
            assertBundledTokenizersFit(name, model);
        }
    }

    /**
     * Without a tokenizer folder each encoder gets CLIP's bundled vocabulary, of its token embedding's size, padded
     * as CLIP's vocabulary README says: the end token (49407) for SD 1.x and SDXL's first encoder, "!" (0) for
     * SD 2.x and SDXL's second.
     */
    private static void assertBundledTokenizersFit(String name, SingleFileModel model) throws Exception {
        List<org.neologism.core.tokenizer.ClipTokenizer> tokenizers = model.tokenizers();
        List<org.neologism.trainer.model.config.TextEncoderConfig> encoders = model.textEncoder2Config() == null
                ? List.of(model.textEncoderConfig()) : List.of(model.textEncoderConfig(), model.textEncoder2Config());
        assertEquals(encoders.size(), tokenizers.size(), name + ": one tokenizer per text encoder");
        List<Integer> pads = switch (model.family()) {
            case SD1 -> List.of(49407);
            case SD2 -> List.of(0);
            case SDXL -> List.of(49407, 0);
        };
        for (int i = 0; i < tokenizers.size(); i++) {
            assertEquals(encoders.get(i).vocabSize(), tokenizers.get(i).vocabularySize(), name + " tokenizer " + i + " size");
            assertEquals(pads.get(i), tokenizers.get(i).padId(), name + " tokenizer " + i + " pad id");
        }
    }

    static OriginalCheckpoint inventoryOf(Path inventory, JsonNode json) {
        Map<String, OriginalCheckpoint.Stored> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.path("keys").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> key = it.next();
            long[] shape = JSON.convertValue(key.getValue().path("shape"), long[].class);
            DType dtype = DType.forSafetensorsName(key.getValue().path("dtype").asText("F32")).orElseThrow();
            tensors.put(key.getKey(), new OriginalCheckpoint.Stored(key.getKey(), dtype, shape));
        }
        return OriginalCheckpoint.inventory(inventory, tensors);
    }

    private static JsonNode without(JsonNode node, String... fields) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = node.deepCopy();
        for (String f : fields) {
            copy.remove(f);
        }
        return copy;
    }

    /** Every field of {@code expected} has the same value in {@code config} (a single value equals [value]). */
    private static void assertFields(String what, JsonNode expected, Object config) {
        JsonNode actual = ConfigFiles.mapper().valueToTree(config);
        assertTrue(expected.size() > 0, what + ": nothing to compare");
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode got = actual.path(field.getKey());
            JsonNode want = field.getValue();
            if (!want.isArray() && got.isArray() && got.size() == 1) {
                got = got.get(0);
            }
            if (want.isNumber() && got.isNumber()) {
                assertEquals(want.asDouble(), got.asDouble(), 0.0, what + "." + field.getKey());
            } else {
                assertEquals(want.isNull() ? "null" : want.toString(), got.isMissingNode() || got.isNull() ? "null"
                        : got.toString(), what + "." + field.getKey());
            }
        }
    }
}
