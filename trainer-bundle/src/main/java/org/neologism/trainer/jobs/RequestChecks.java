package org.neologism.trainer.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.neologism.core.dataset.DatasetLoader;
import org.neologism.core.root.RootFolder;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.core.tokenizer.InvalidTokenizerFolderException;
import org.neologism.core.training.InvalidTrainingRequestException;
import org.neologism.core.training.TrainingRequest;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.training.InitializerToken;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.neologism.trainer.training.ModelLocator;

/**
 * What the trainer checks before it queues a request, so a mistake costs one line and no model loading:
 * the model, the images folder, the two tokens and the device. The request's own values were checked by
 * {@link TrainingRequest#validate()}; these checks need the machine, and each depends on the one before,
 * so the first problem is the one reported.
 */
final class RequestChecks {

    private final TorchEngine torch;

    RequestChecks(TorchEngine torch) {
        this.torch = torch;
    }

    /** The first problem of the request on this machine, naming its flag. */
    Optional<String> firstProblem(TrainingRequest request, RootFolder root) {
        try {
            checkedModel(request, root);
            return Optional.empty();
        } catch (InvalidTrainingRequestException e) {
            return Optional.of(e.problems().get(0));
        }
    }

    /**
     * The request's model, located and opened once for the run that trains it, when every check passes;
     * else the first problem, naming its flag.
     */
    DiffusersFolder checkedModel(TrainingRequest request, RootFolder root) {
        try {
            DiffusersFolder model = ModelLocator.open(request.model(), root, new SingleFileOptions(
                    request.originalConfig(), request.predictionType(), request.tokenizer()));
            Path images = request.trainDataDir() != null ? request.trainDataDir() : root.trainingData(request.placeholderToken());
            checkImages(images);
            checkTokens(model, request);
            torch.deviceFor(request.device());
            return model;
        } catch (IllegalArgumentException e) {
            throw new InvalidTrainingRequestException(e.getMessage());
        } catch (UnsupportedModelException e) {
            throw new InvalidTrainingRequestException("--model " + request.model() + ": " + e.getMessage());
        }
    }

    private static void checkImages(Path images) {
        if (!Files.isDirectory(images)) {
            throw new IllegalArgumentException("the training images folder " + images + " does not exist: put 3-5"
                    + " images of the concept there, or name their folder with --train_data_dir");
        }
        try (Stream<Path> files = Files.list(images)) {
            if (files.noneMatch(RequestChecks::isImage)) {
                throw new IllegalArgumentException("the training images folder " + images + " holds no image ("
                        + String.join(", ", DatasetLoader.IMAGE_EXTENSIONS.stream().sorted().toList()) + "): put 3-5"
                        + " images of the concept there, or name their folder with --train_data_dir");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list the training images folder " + images + " (" + e.getMessage()
                    + "): check its permissions or name another with --train_data_dir");
        }
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && Files.isRegularFile(file)
                && DatasetLoader.IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static void checkTokens(DiffusersFolder model, TrainingRequest request) {
        ClipTokenizer tokenizer;
        try {
            tokenizer = model.tokenizer();
        } catch (InvalidTokenizerFolderException | RuntimeException e) {
            throw new IllegalArgumentException("--model " + model.root() + ": " + e.getMessage());
        }
        InitializerToken.idOf(tokenizer, request.initializerToken());
        String trigger = request.placeholderToken();
        try {
            tokenizer.addPlaceholderTokens(trigger, Math.max(1, request.numVectors()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--placeholder_token " + trigger + ": " + e.getMessage()
                    + " A trigger such as <" + RootFolder.folderName(trigger) + "> is new.");
        }
    }
}
