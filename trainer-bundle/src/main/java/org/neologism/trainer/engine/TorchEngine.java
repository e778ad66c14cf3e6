package org.neologism.trainer.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.neologism.core.natives.NativeLibraries;
import org.neologism.core.settings.Settings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The PyTorch engine, loaded once per JVM.
 *
 * <p>DJL finds its engine through {@code ServiceLoader} and its natives through the thread context
 * class loader. If anything touches {@link Engine} before the TCCL points at this bundle's loader, the
 * engine stays null for the life of the loader, so this component is the only place that loads it.
 * It is delayed: libtorch loads when the first command or job needs it, not at start-up.
 *
 * <p>libtorch comes from the platform's natives bundle ({@link NativeLibraries}), in every host alike;
 * {@code PYTORCH_LIBRARY_PATH} (environment or system property), when set, overrides it, e.g. for a
 * CUDA libtorch.
 */
@Component(service = TorchEngine.class)
public class TorchEngine {

    public static final String ENGINE_NAME = "PyTorch";

    private final Engine engine;
    private final Settings settings;

    /**
     * The engine in a framework: libtorch from the natives bundle unless PYTORCH_LIBRARY_PATH overrides
     * it, with the configured CPU threads and default device.
     */
    @Activate
    public TorchEngine(@Reference NativeLibraries natives, @Reference Settings settings) {
        this(nativesFolderUnlessOverridden(natives), settings);
    }

    /** The engine outside a framework (unit tests): libtorch from PYTORCH_LIBRARY_PATH. */
    public TorchEngine() {
        this((Path) null, null);
    }

    private TorchEngine(Path bundledNatives, Settings settings) {
        this.settings = settings;
        requireOffline();
        if (settings != null && settings.cpuThreads() > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // DJL hands this to torch.set_num_threads when the engine loads.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.cpuThreads()));
        }
        if (bundledNatives != null) {
            loadFrom(bundledNatives);
        }
        requireNatives();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(TorchEngine.class.getClassLoader());
        try {
            engine = Engine.getEngine(ENGINE_NAME);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("Cannot load libtorch from PYTORCH_LIBRARY_PATH="
                    + pytorchLibraryPath() + " (" + e + "). Unset PYTORCH_LIBRARY_PATH to use the natives bundle"
                    + " org.neologism.natives.linux.x86_64, or point it at a libtorch 2.7.1 installation that also"
                    + " holds DJL's libdjl_torch.so.", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Path nativesFolderUnlessOverridden(NativeLibraries natives) {
        if (pytorchLibraryPath() != null) {
            return null;
        }
        try {
            return natives.folder();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static String pytorchLibraryPath() {
        return System.getProperty("PYTORCH_LIBRARY_PATH", System.getenv("PYTORCH_LIBRARY_PATH"));
    }

    /**
     * Points DJL at the bundled libtorch, and JNA (which DJL uses to look for CUDA) at the bundled
     * dispatch library, so that JNA does not unpack its own copy into the user's home.
     */
    private static void loadFrom(Path folder) {
        System.setProperty("PYTORCH_LIBRARY_PATH", folder.toString());
        if (System.getProperty("jna.boot.library.path") == null && Files.isRegularFile(folder.resolve("libjnidispatch.so"))) {
            System.setProperty("jna.boot.library.path", folder.toString());
            System.setProperty("jna.nounpack", "true");
        }
    }

    /**
     * DJL contacts the network unless both switches are set; we never let it. And libtorch's profiling
     * graph executor re-optimises the fused-kernel TorchScript modules on a schedule that depends on
     * machine load, which changed results in the last bits between identical runs: training must be
     * reproducible (a resumed run ends bit for bit where an uninterrupted one does), so it is off.
     */
    static void requireOffline() {
        if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
            System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /**
     * Fails early, with the fix, when PYTORCH_LIBRARY_PATH names a folder without libtorch: DJL would
     * otherwise try to download it and fail with an unrelated "offline mode" error.
     */
    static void requireNatives() {
        String path = pytorchLibraryPath();
        if (path == null) {
            throw new IllegalStateException("PYTORCH_LIBRARY_PATH is not set, and Neologism never downloads libtorch."
                    + " In a framework, install the bundle org.neologism.natives.linux.x86_64, which carries it;"
                    + " outside one, set PYTORCH_LIBRARY_PATH to a folder holding libtorch 2.7.1 and libdjl_torch.so.");
        }
        Path folder = Path.of(path);
        for (String library : new String[] {"libtorch.so", "libdjl_torch.so"}) {
            if (!Files.isRegularFile(folder.resolve(library))) {
                throw new IllegalStateException("PYTORCH_LIBRARY_PATH=" + path + " holds no " + library
                        + ". Unset it to use the natives bundle org.neologism.natives.linux.x86_64, or point it at a"
                        + " libtorch 2.7.1 installation that also holds DJL's libdjl_torch.so.");
            }
        }
    }

    public Engine engine() {
        return engine;
    }

    public String djlVersion() {
        return Engine.getDjlVersion();
    }

    public String libtorchVersion() {
        return engine.getVersion();
    }

    public Device defaultDevice() {
        return engine.defaultDevice();
    }

    /** Every device libtorch can run on here: the CPU and each visible GPU. */
    public List<Device> devices() {
        return Arrays.asList(engine.getDevices());
    }

    /**
     * Sets libtorch's intra-op threads for the calling thread and returns the number: {@code requested} (a
     * command's {@code --cpu_threads}) when given, else the host's configured {@code cpu.threads}, else
     * {@code -Dneologism.threads=N}, else the machine's cores. The setting is OpenMP's, which is kept per
     * thread, so every thread that trains or benchmarks sets it itself rather than relying on what its
     * creator left.
     */
    public int useIntraOpThreads(Integer requested) {
        int threads = requested != null ? requested
                : settings != null && settings.cpuThreads() > 0 ? settings.cpuThreads()
                : Integer.getInteger("neologism.threads", Runtime.getRuntime().availableProcessors());
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** A manager on the default device; the caller closes it, which frees every array made in it. */
    public NDManager newManager() {
        return engine.newBaseManager(defaultDevice());
    }

    /**
     * {@code --device}: {@code cpu}, {@code gpu} or {@code gpu:N}; {@code null} or blank for the default
     * (a GPU when one is visible).
     *
     * @throws IllegalArgumentException naming the flag, when the device is unknown or not present here
     */
    public Device device(String name) {
        if ((name == null || name.isBlank()) && settings != null && !settings.device().isBlank()) {
            name = settings.device();
        }
        if (name == null || name.isBlank()) {
            return defaultDevice();
        }
        String wanted = name.strip().toLowerCase(java.util.Locale.ROOT);
        Device device;
        if (wanted.equals("cpu")) {
            device = Device.cpu();
        } else if (wanted.equals("gpu") || wanted.equals("cuda")) {
            device = Device.gpu();
        } else if (wanted.matches("(gpu|cuda):\\d{1,3}")) {
            device = Device.gpu(Integer.parseInt(wanted.substring(wanted.indexOf(':') + 1)));
        } else {
            throw new IllegalArgumentException("--device " + name + " is not a device: use cpu, gpu or gpu:N");
        }
        if (!devices().contains(device)) {
            throw new IllegalArgumentException("--device " + name + " is not available here; the devices are "
                    + devices() + ". GPUs need a CUDA libtorch (README, GPU).");
        }
        return device;
    }

    /** The device a request asks for ({@code --device}); see {@link #device(String)}. */
    public Device deviceFor(org.neologism.core.training.DeviceChoice choice) {
        return device(choice.kind() == org.neologism.core.training.DeviceChoice.Kind.AUTO ? null : choice.toString());
    }

    /** A manager on {@code device}; the caller closes it. */
    public NDManager newManager(Device device) {
        return engine.newBaseManager(device);
    }
}
