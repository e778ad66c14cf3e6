package org.neologism.trainer.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.neologism.concepts.codec.DiffusersSafetensorsCodec;
import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.core.embedding.Embedding;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.internal.dataset.FolderDatasetLoader;
import org.neologism.core.root.RootFolder;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.LiveSchedule;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.schedulers.ConstantSchedule;
import org.neologism.schedulers.sampling.DpmppTwoMSampler;
import org.neologism.testsupport.Fixtures;
import org.neologism.testsupport.ModelVariant;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.model.WeightFiles;
import org.neologism.trainer.model.single.SingleFileOptions;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * Whole training runs through {@link TextualInversionRun}'s public constructor, wired as the trainer component
 * ({@code TrainingJobs}) wires it, outside OSGi: the product's dataset loader, codecs and DPM++ 2M sampler, and a
 * bare Felix framework (no bundle installed) whose registry holds the constant schedule that {@link LiveSchedule}
 * follows by name, as a run follows it in the distribution. The installer keeps what the run installs.
 */
final class WholeRuns implements AutoCloseable {

    private final Framework framework;
    private final TorchEngine torch;
    private final Map<String, EmbeddingCodec> codecs;

    private WholeRuns(Framework framework, TorchEngine torch) {
        this.framework = framework;
        this.torch = torch;
        this.codecs = Stream.of(new LearnedEmbedsBinCodec(), new DiffusersSafetensorsCodec())
                .collect(Collectors.toMap(EmbeddingCodec::format, Function.identity()));
    }

    /** @param storage an empty folder for the framework's cache */
    static WholeRuns start(TorchEngine torch, Path storage) throws BundleException {
        Framework framework = new FrameworkFactory().newFramework(Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        BundleContext context = framework.getBundleContext();
        LearningRateSchedule constant = new ConstantSchedule();
        Dictionary<String, Object> properties = new Hashtable<>(Map.of(LearningRateSchedule.NAME_PROPERTY, constant.name()));
        context.registerService(LearningRateSchedule.class, constant, properties);
        return new WholeRuns(framework, torch);
    }

    /** The first fixture model of one text encoder that the generator draws with, found by the index files. */
    static ModelVariant generatableModel() {
        return Fixtures.modelVariants().stream()
                .filter(model -> model.architecture().supported())
                .filter(model -> DiffusersFolder.open(model.folder(), WeightFiles.OPENER).tokenWidths().size() == 1)
                .findFirst().orElseThrow(() -> new IllegalStateException("No fixture model with one text encoder"));
    }

    /** What one run reported and installed. */
    record Outcome(TextualInversionRun.Result result, List<String> notices, List<Double> losses, List<Embedding> installed) {

        /** The installed embedding's vectors, [n·d] (SD 1.x/2.x: one part). */
        float[] learnedVectors() {
            return installed.get(0).values();
        }
    }

    Outcome run(TrainingRequest request, RootFolder root) throws IOException, InterruptedException {
        List<Embedding> installed = new ArrayList<>();
        Recorder recorder = new Recorder();
        TextualInversionRun.Services services = new TextualInversionRun.Services(torch, new FolderDatasetLoader(),
                (name, settings, listener) -> LiveSchedule.follow(framework.getBundleContext(), name, settings, listener),
                codecs::get, parts -> {
                    installed.addAll(parts);
                    return root.embeddings().resolve(RootFolder.folderName(request.placeholderToken()));
                }, WholeRuns::sampler);
        DiffusersFolder model = ModelLocator.open(request.model(), root, new SingleFileOptions(request.originalConfig(),
                request.predictionType(), request.tokenizer()));
        TextualInversionRun.Result result = new TextualInversionRun(request, model, root, services, recorder).run();
        return new Outcome(result, List.copyOf(recorder.notices), List.copyOf(recorder.losses), List.copyOf(installed));
    }

    private static Optional<Sampler> sampler(String name) {
        Sampler dpmpp = new DpmppTwoMSampler();
        return dpmpp.name().equals(name) ? Optional.of(dpmpp) : Optional.empty();
    }

    @Override
    public void close() throws BundleException, InterruptedException {
        framework.stop();
        framework.waitForStop(10_000);
    }

    /** The run's notices and per-step losses, as a job would show them. */
    private static final class Recorder implements RunObserver {
        private final List<String> notices = Collections.synchronizedList(new ArrayList<>());
        private final List<Double> losses = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void status(TrainingStatus status, String message) {
            notices.add(message);
        }

        @Override
        public void paused(String waitsFor, String message) {
            notices.add(message);
        }

        @Override
        public void notice(String message) {
            notices.add(message);
        }

        @Override
        public void stepDone(long step, long totalSteps, double loss, double lr) {
            losses.add(loss);
        }

        @Override
        public boolean stopRequested() {
            return false;
        }
    }
}
