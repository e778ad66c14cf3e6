package org.neologism.trainer.jobs;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.neologism.core.dataset.DatasetLoader;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.embedding.EmbeddingLibrary;
import org.neologism.core.sampling.Sampler;
import org.neologism.core.root.RootFolder;
import org.neologism.core.schedule.LiveSchedule;
import org.neologism.core.settings.Settings;
import org.neologism.core.training.InvalidTrainingRequestException;
import org.neologism.core.training.Trainer;
import org.neologism.core.training.TrainingProgress;
import org.neologism.core.training.TrainingRequest;
import org.neologism.core.training.TrainingStatus;
import org.neologism.trainer.engine.TorchEngine;
import org.neologism.trainer.model.DiffusersFolder;
import org.neologism.trainer.training.TextualInversionRun;
import org.neologism.trainer.training.TrainedEmbeddingInstaller;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@link Trainer} service: runs one textual-inversion job at a time on its own thread (libtorch
 * allows one gradient collector per JVM) and queues the rest. The codecs a run writes its files with are
 * mandatory references: without them the service is not registered, and the framework reports why at
 * start-up rather than when the first file is written.
 */
@Component(service = Trainer.class)
public class TrainingJobs implements Trainer {

    private final BundleContext context;
    private final TorchEngine torch;
    private final DatasetLoader datasets;
    private final EmbeddingLibrary library;
    private final Settings settings;

    @Reference(target = "(" + EmbeddingCodec.FORMAT_PROPERTY + "=" + EmbeddingCodec.LEARNED_EMBEDS_BIN + ")",
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile EmbeddingCodec learnedEmbedsBin;
    @Reference(target = "(" + EmbeddingCodec.FORMAT_PROPERTY + "=" + EmbeddingCodec.DIFFUSERS_SAFETENSORS + ")",
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile EmbeddingCodec diffusersSafetensors;
    @Reference(target = "(" + EmbeddingCodec.FORMAT_PROPERTY + "=" + EmbeddingCodec.SDXL_CLIP_PAIR + ")",
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile EmbeddingCodec sdxlClipPair;
    private final RequestChecks checks;
    private final List<TrainingJob> jobs = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "neologism-training");
        thread.setDaemon(true);
        return thread;
    });

    @Activate
    public TrainingJobs(BundleContext context, @Reference TorchEngine torch, @Reference DatasetLoader datasets,
                        @Reference EmbeddingLibrary library, @Reference Settings settings) {
        this.context = context;
        this.settings = settings;
        this.torch = torch;
        this.datasets = datasets;
        this.library = library;
        this.checks = new RequestChecks(torch);
    }

    /** The sampler services by name (validation images), kept by Declarative Services as bundles come and go. */
    private final Map<String, Sampler> samplers = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSampler(Sampler sampler) {
        samplers.put(sampler.name(), sampler);
    }

    void removeSampler(Sampler sampler) {
        samplers.remove(sampler.name(), sampler);
    }

    private Optional<Sampler> sampler(String name) {
        return Optional.ofNullable(samplers.get(name));
    }

    /** The codec of a format a run writes; dynamic, so updating the codecs' bundle does not stop a run. */
    private EmbeddingCodec codec(String format) {
        return switch (format) {
            case EmbeddingCodec.LEARNED_EMBEDS_BIN -> learnedEmbedsBin;
            case EmbeddingCodec.DIFFUSERS_SAFETENSORS -> diffusersSafetensors;
            case EmbeddingCodec.SDXL_CLIP_PAIR -> sdxlClipPair;
            default -> null;
        };
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        jobs.forEach(TrainingJob::requestStop);
        worker.shutdown();
        worker.awaitTermination(60, TimeUnit.SECONDS);
    }

    @Override
    public List<String> problems(TrainingRequest request) {
        List<String> problems = request.validate();
        if (!problems.isEmpty()) {
            return problems;
        }
        return checks.firstProblem(request, rootOf(request)).map(List::of).orElse(List.of());
    }

    @Override
    public long submit(TrainingRequest request) {
        List<String> problems = request.validate();
        if (!problems.isEmpty()) {
            throw new InvalidTrainingRequestException(problems);
        }
        RootFolder root = rootOf(request);
        // Located once: the run trains the model the checks found.
        DiffusersFolder model = checks.checkedModel(request, root);
        TrainingJob job = new TrainingJob(ids.incrementAndGet(), request);
        jobs.add(job);
        worker.submit(() -> run(job, model, root));
        return job.id();
    }

    private void run(TrainingJob job, DiffusersFolder model, RootFolder root) {
        if (job.stopRequested()) {
            job.finish(TrainingStatus.STOPPED, 0, "Removed from the queue before it started");
            return;
        }
        TextualInversionRun.Services services = new TextualInversionRun.Services(torch, datasets, this::followSchedule, this::codec,
                new TrainedEmbeddingInstaller(library.under(root), root), this::sampler);
        try {
            TextualInversionRun.Result result = new TextualInversionRun(job.request(), model, root, services, job).run();
            job.finish(result.status(), result.step(), result.message());
        } catch (Exception | LinkageError e) {
            job.finish(TrainingStatus.FAILED, job.progress().step(), describe(e));
        }
    }

    private LiveSchedule followSchedule(String name, org.neologism.core.schedule.ScheduleSettings settings,
                                        LiveSchedule.Listener listener) {
        return LiveSchedule.follow(context, name, settings, listener);
    }

    private RootFolder rootOf(TrainingRequest request) {
        if (request.root() != null) {
            return new RootFolder(request.root());
        }
        return settings.root();
    }

    /** A failure as one line a user can act on: our messages name the file or flag already. */
    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.toString() : message;
    }

    @Override
    public List<TrainingProgress> jobs() {
        return jobs.stream().map(TrainingJob::progress).toList();
    }

    @Override
    public Optional<TrainingProgress> progress(long jobId) {
        return find(jobId).map(TrainingJob::progress);
    }

    @Override
    public List<String> notices(long jobId) {
        return find(jobId).map(TrainingJob::notices).orElse(List.of());
    }

    @Override
    public boolean stop(long jobId) {
        Optional<TrainingJob> job = find(jobId);
        job.ifPresent(TrainingJob::requestStop);
        return job.isPresent();
    }

    private Optional<TrainingJob> find(long jobId) {
        return jobs.stream().filter(job -> job.id() == jobId).findFirst();
    }
}
