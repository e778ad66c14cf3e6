package org.neologism.trainer.model.create;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsWriter;
import org.neologism.core.tokenizer.ClipVocabularyFiles;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.clip.ClipTextModel;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.config.TextEncoderConfig;
import org.neologism.trainer.model.config.UNetConfig;
import org.neologism.trainer.model.config.VaeConfig;
import org.neologism.trainer.model.nn.ComposedKernels;
import org.neologism.trainer.model.nn.Module;
import org.neologism.trainer.model.nn.Parameter;
import org.neologism.trainer.model.unet.UNet2DCondition;
import org.neologism.trainer.model.vae.AutoencoderKL;

/**
 * Writes a complete diffusers folder of an {@link Architecture} with untrained weights (PyTorch's default
 * initialisation, reproducible from the seed) and a generated tokenizer. One component is held in memory at
 * a time (the SD 1.5 UNet: 3.4 GB as float32, 1.7 GB as float16).
 */
public final class RandomModelWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Architecture architecture;
    private final long seed;
    private final DType dtype;

    /** @param dtype F32 or F16 */
    public RandomModelWriter(Architecture architecture, long seed, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("weights are written as F32 or F16, not " + dtype);
        }
        this.architecture = architecture;
        this.seed = seed;
        this.dtype = dtype;
    }

    /** Writes the folder (refusing a non-empty one) and opens it again, which validates every config. */
    public DiffusersFolder write(Path root) throws IOException {
        if (Files.isDirectory(root)) {
            try (var entries = Files.list(root)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(root + " is not empty: give a new or empty folder");
                }
            }
        }
        Files.createDirectories(root);
        json(root.resolve("model_index.json"), architecture.modelIndex());
        json(root.resolve("scheduler/scheduler_config.json"), architecture.schedulerConfig());
        Path te = json(root.resolve("text_encoder/config.json"), architecture.textEncoderConfig());
        Path unet = json(root.resolve("unet/config.json"), architecture.unetConfig());
        Path vae = json(root.resolve("vae/config.json"), architecture.vaeConfig());
        writeTokenizer(root.resolve("tokenizer"), architecture.padToken());
        Path te2 = architecture.sdxl() ? json(root.resolve("text_encoder_2/config.json"), architecture.textEncoder2Config())
                : null;
        if (te2 != null) {
            writeTokenizer(root.resolve("tokenizer_2"), architecture.padToken2());
        }

        SplittableRandom random = new SplittableRandom(seed);
        weights(new ClipTextModel(ConfigFiles.read(te, TextEncoderConfig.class).validate(te.toString()),
                ComposedKernels.INSTANCE), random.split(), root.resolve("text_encoder/model.safetensors"));
        if (te2 != null) {
            weights(new ClipTextModel(ConfigFiles.read(te2, TextEncoderConfig.class).validate(te2.toString()),
                    ComposedKernels.INSTANCE), random.split(), root.resolve("text_encoder_2/model.safetensors"));
        }
        weights(new UNet2DCondition(ConfigFiles.read(unet, UNetConfig.class).validate(unet.toString()),
                ComposedKernels.INSTANCE), random.split(), root.resolve("unet/diffusion_pytorch_model.safetensors"));
        weights(new AutoencoderKL(ConfigFiles.read(vae, VaeConfig.class).validate(vae.toString()),
                ComposedKernels.INSTANCE), random.split(), root.resolve("vae/diffusion_pytorch_model.safetensors"));
        return DiffusersFolder.open(root, WeightFiles.OPENER);
    }

    private void weights(Module network, SplittableRandom random, Path file) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter().putMetadata("format", "pt");
        for (Map.Entry<String, Parameter> e : network.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            long[] dims = p.shape().getShape();
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = Math.toIntExact(dims[i]);
            }
            // Drawn while the file is written, one tensor at a time: SDXL's UNet (10 GB) exceeds the default heap.
            SplittableRandom stream = random.split();
            int count = Math.toIntExact(p.shape().size());
            writer.addFloats(e.getKey(), dtype, shape, () -> p.init().sample(count, stream));
        }
        writer.write(file);
    }

    private void writeTokenizer(Path folder, String padToken) throws IOException {
        if (architecture.vocabSize() == ClipVocabularyFiles.bundled().vocabulary().size()) {
            // Full-size architectures get CLIP's real tokenizer, shipped with core.
            ClipVocabularyFiles.bundled().writeTokenizerFolder(folder, padToken);
            return;
        }
        ClipVocabulary vocabulary = new ClipVocabulary(architecture.vocabSize());
        json(folder.resolve("vocab.json"), vocabulary.vocab());
        Files.writeString(folder.resolve("merges.txt"), vocabulary.mergesText());
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", addedToken(ClipVocabulary.START, false));
        special.put("eos_token", addedToken(ClipVocabulary.END, false));
        special.put("pad_token", padToken);
        special.put("unk_token", addedToken(ClipVocabulary.END, false));
        json(folder.resolve("special_tokens_map.json"), special);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("bos_token", addedToken(ClipVocabulary.START, true));
        config.put("clean_up_tokenization_spaces", true);
        config.put("eos_token", addedToken(ClipVocabulary.END, true));
        config.put("errors", "replace");
        config.put("model_max_length", 77);
        config.put("pad_token", padToken);
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("unk_token", addedToken(ClipVocabulary.END, true));
        json(folder.resolve("tokenizer_config.json"), config);
    }

    private static Map<String, Object> addedToken(String content, boolean typed) {
        Map<String, Object> token = new LinkedHashMap<>();
        if (typed) {
            token.put("__type", "AddedToken");
        }
        token.put("content", content);
        token.put("lstrip", false);
        token.put("normalized", true);
        token.put("rstrip", false);
        token.put("single_word", false);
        return token;
    }

    private static Path json(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        JSON.writeValue(file.toFile(), value);
        return file;
    }
}
