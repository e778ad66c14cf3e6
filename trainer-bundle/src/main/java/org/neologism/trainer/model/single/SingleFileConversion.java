package org.neologism.trainer.model.single;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.SafetensorsStreamWriter;
import org.neologism.core.tokenizer.ClipVocabularyFiles;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.WeightSource;
import org.neologism.trainer.model.config.ConfigFiles;
import org.neologism.trainer.model.single.OriginalLayout.Component;

/**
 * {@code ti:model convert}: writes a single-file checkpoint as a diffusers folder, tensor by tensor (nothing
 * of the weights is held in the heap), keeping each tensor's stored precision.
 */
public final class SingleFileConversion {

    private SingleFileConversion() {}

    /** Writes {@code model} into {@code target} (new or empty) and opens the result, which validates it. */
    public static DiffusersFolder write(SingleFileModel model, Path target) throws IOException {
        if (Files.isDirectory(target)) {
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(target + " is not empty: give a new or empty folder");
                }
            }
        }
        Files.createDirectories(target);
        boolean sdxl = model.textEncoder2Config() != null;
        json(target.resolve("model_index.json"), modelIndex(sdxl));
        json(target.resolve("scheduler/scheduler_config.json"), model.schedulerJson());
        json(target.resolve("text_encoder/config.json"), model.textEncoderConfig());
        json(target.resolve("unet/config.json"), model.unetConfig());
        json(target.resolve("vae/config.json"), model.vaeConfig());
        List<Path> tokenizers = model.tokenizerFolders();
        for (int i = 0; i < tokenizers.size(); i++) {
            writeTokenizer(tokenizers.get(i), model.padTokens().get(i), target.resolve(i == 0 ? "tokenizer" : "tokenizer_2"));
        }
        weights(model, Component.TEXT_ENCODER, target.resolve("text_encoder/model.safetensors"));
        if (sdxl) {
            json(target.resolve("text_encoder_2/config.json"), model.textEncoder2Config());
            weights(model, Component.TEXT_ENCODER_2, target.resolve("text_encoder_2/model.safetensors"));
        }
        weights(model, Component.UNET, target.resolve("unet/diffusion_pytorch_model.safetensors"));
        weights(model, Component.VAE, target.resolve("vae/diffusion_pytorch_model.safetensors"));
        return DiffusersFolder.open(target, WeightFiles.OPENER);
    }

    /** As diffusers' StableDiffusionPipeline, or StableDiffusionXLPipeline with its second encoder and tokenizer. */
    static Map<String, Object> modelIndex(boolean sdxl) {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("_class_name", sdxl ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline");
        index.put("_diffusers_version", sdxl ? "0.31.0" : "0.25.1");
        index.put("feature_extractor", Arrays.asList(null, null));
        if (sdxl) {
            index.put("force_zeros_for_empty_prompt", true);
            index.put("image_encoder", Arrays.asList(null, null));
        } else {
            index.put("requires_safety_checker", false);
            index.put("safety_checker", Arrays.asList(null, null));
        }
        index.put("scheduler", List.of("diffusers", "DDPMScheduler"));
        index.put("text_encoder", List.of("transformers", "CLIPTextModel"));
        if (sdxl) {
            index.put("text_encoder_2", List.of("transformers", "CLIPTextModelWithProjection"));
        }
        index.put("tokenizer", List.of("transformers", "CLIPTokenizer"));
        if (sdxl) {
            index.put("tokenizer_2", List.of("transformers", "CLIPTokenizer"));
        }
        index.put("unet", List.of("diffusers", "UNet2DConditionModel"));
        index.put("vae", List.of("diffusers", "AutoencoderKL"));
        return index;
    }

    /** A tokenizer the model trains with: a given folder is copied, else CLIP's vocabulary is written. */
    private static void writeTokenizer(Path given, String padToken, Path folder) throws IOException {
        if (given == null) {
            ClipVocabularyFiles.bundled().writeTokenizerFolder(folder, padToken);
            return;
        }
        Files.createDirectories(folder);
        try (Stream<Path> files = Files.list(given)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
    }

    private static void weights(SingleFileModel model, Component component, Path file) throws IOException {
        try (WeightSource source = model.weights(component)) {
            List<SafetensorsStreamWriter.Tensor> tensors = new ArrayList<>();
            Map<String, WeightSource.Entry> entries = new LinkedHashMap<>();
            for (WeightSource.Entry entry : source.entries()) {
                tensors.add(new SafetensorsStreamWriter.Tensor(entry.name(), DType.valueOf(entry.type().name()),
                        entry.shape()));
                entries.put(entry.name(), entry);
            }
            SafetensorsStreamWriter.write(file, Map.of("format", "pt"), tensors,
                    tensor -> source.bytes(entries.get(tensor.name())));
        }
    }

    private static void json(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        ConfigFiles.mapper().writeValue(file.toFile(), value);
    }
}
