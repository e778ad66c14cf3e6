package org.neologism.trainer.cli;

import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.config.UnsupportedModelException;
import org.neologism.trainer.model.single.SingleFileOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.neologism.core.root.RootFolder;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.tokenizer.ClipTokenizer;
import org.neologism.core.tokenizer.InvalidTokenizerFolderException;
import org.neologism.trainer.training.InitializerToken;
import org.neologism.trainer.training.ModelLocator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

/**
 * What invokeai-ti checks before it starts a run, so a mistake costs one line and no model loading:
 * the trigger, the model, the images folder, the two tokens and the schedule's name.
 */
final class CommandLineChecks {

    private final BundleContext context;
    private final TrainOptions options;

    CommandLineChecks(BundleContext context, TrainOptions options) {
        this.context = context;
        this.options = options;
    }

    /** {@code --root}, else the process's root; created with the guide's layout on first use. */
    RootFolder root(ParsedCommandLine line) {
        String given = line.value(options, "--root");
        RootFolder root = given.isBlank()
                ? RootFolder.resolve(context::getProperty, System.getenv(), Path.of(System.getProperty("user.home")))
                : new RootFolder(Path.of(given).toAbsolutePath());
        try {
            return root.createLayout();
        } catch (IOException e) {
            throw new BadCommandLineException("cannot create the root folder " + root.path() + " (" + e.getMessage()
                    + "); give a writable one with --root");
        }
    }

    void check(ParsedCommandLine line) {
        String trigger = line.value(options, "--placeholder_token");
        if (trigger.isBlank()) {
            throw new BadCommandLineException("--placeholder_token is required: the trigger term to learn, e.g."
                    + " --placeholder_token '<psychedelic>'");
        }
        RootFolder root = root(line);
        RootFolder.folderName(trigger);
        DiffusersFolder model;
        try {
            model = ModelLocator.open(line.value(options, "--model"), root, SingleFileOptions.of(
                    line.value(options, "--original_config"), line.value(options, "--prediction_type"),
                    line.value(options, "--tokenizer")));
        } catch (UnsupportedModelException e) {
            throw new BadCommandLineException("--model: " + e.getMessage());
        }
        String dataDir = line.value(options, "--train_data_dir");
        Path images = dataDir.isBlank() ? root.trainingData(trigger) : Path.of(dataDir).toAbsolutePath();
        if (!Files.isDirectory(images)) {
            throw new BadCommandLineException("the training images folder " + images + " does not exist: put 3-5"
                    + " images of the concept there, or name their folder with --train_data_dir");
        }
        checkTokens(model, trigger, line);
        checkSchedule(line.value(options, "--lr_scheduler"));
    }

    private void checkTokens(DiffusersFolder model, String trigger, ParsedCommandLine line) {
        ClipTokenizer tokenizer;
        try {
            tokenizer = model.tokenizer();
        } catch (InvalidTokenizerFolderException | RuntimeException e) {
            throw new BadCommandLineException("--model " + model.root() + ": " + e.getMessage());
        }
        String initializer = line.value(options, "--initializer_token");
        try {
            InitializerToken.idOf(tokenizer, initializer);
        } catch (IllegalArgumentException e) {
            throw new BadCommandLineException(e.getMessage());
        }
        int vectors = Integer.parseInt(line.value(options, "--num_vectors").strip());
        try {
            tokenizer.addPlaceholderTokens(trigger, Math.max(1, vectors));
        } catch (IllegalArgumentException e) {
            throw new BadCommandLineException("--placeholder_token " + trigger + ": " + e.getMessage()
                    + " A trigger such as <" + RootFolder.folderName(trigger) + "> is new.");
        }
    }

    private void checkSchedule(String name) {
        List<String> registered = registeredSchedules();
        if (!registered.isEmpty() && !registered.contains(name)) {
            throw new BadCommandLineException("--lr_scheduler " + name + " is not a registered schedule; choose one of "
                    + String.join(", ", registered));
        }
    }

    /** The names of the registered {@link LearningRateSchedule} services, sorted. */
    List<String> registeredSchedules() {
        try {
            return context.getServiceReferences(LearningRateSchedule.class, null).stream()
                    .map(reference -> reference.getProperty(LearningRateSchedule.NAME_PROPERTY))
                    .filter(Objects::nonNull).map(Object::toString).distinct().sorted().toList();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

}
