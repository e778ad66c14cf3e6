package org.neologism.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * Our bundles in a plain Felix that holds only the framework, SCR, ConfigAdmin, Gogo and Jackson, as
 * a larger OSGi host would embed them: the launcher plays no part.
 */
class PlainFelixIT {

    private static final int UNSATISFIED_CONFIGURATION = 1;
    private static final int UNSATISFIED_REFERENCE = 2;
    private static final int SATISFIED = 4;
    private static final int ACTIVE = 8;
    private static final int FAILED_ACTIVATION = 16;

    @TempDir
    Path storage;

    private PlainFelix felix;
    private Framework framework;

    @BeforeEach
    void startPlainFelix() throws Exception {
        felix = PlainFelix.start(storage);
        framework = (Framework) felix.context().getBundle(0);
    }

    @AfterEach
    void stop() throws Exception {
        felix.close();
    }

    @Test
    void theHostHoldsOnlyTheFrameworkServicesAndOurBundles() {
        for (Bundle bundle : framework.getBundleContext().getBundles()) {
            String name = bundle.getSymbolicName();
            assertTrue(name.startsWith("org.neologism.") || name.startsWith("org.apache.felix.")
                    || name.startsWith("org.osgi.") || name.startsWith("com.fasterxml.jackson.")
                    || name.startsWith("org.yaml.snakeyaml"), name);
        }
    }

    @Test
    void everyBundleResolvesAndStarts() {
        for (Bundle bundle : framework.getBundleContext().getBundles()) {
            assertEquals(Bundle.ACTIVE, bundle.getState(), bundle.getSymbolicName() + " is not active");
        }
    }

    @Test
    void noBundleExportsDjl() {
        for (Bundle bundle : framework.getBundleContext().getBundles()) {
            String exports = bundle.getHeaders().get(Constants.EXPORT_PACKAGE);
            assertFalse(exports != null && exports.contains("ai.djl"), bundle.getSymbolicName() + " exports DJL: " + exports);
        }
    }

    @Test
    void everyComponentOfOursIsSatisfiedAndTheCommandsActivate() throws Exception {
        BundleContext context = framework.getBundleContext();
        Map<String, Integer> states = componentStates();
        assertFalse(states.isEmpty(), "no components found");
        states.forEach((name, state) -> assertTrue(state == SATISFIED || state == ACTIVE,
                name + " is in state " + state + " (1 unsatisfied configuration, 2 unsatisfied reference, 16 failed)"));

        // Using the commands activates them and the libtorch engine behind them.
        ServiceReference<?>[] commands = context.getAllServiceReferences(null, "(osgi.command.scope=ti)");
        assertNotNull(commands, "no ti: commands registered");
        for (ServiceReference<?> command : commands) {
            assertNotNull(context.getService(command), "command " + command.getProperty("osgi.command.function"));
        }
        assertEquals(ACTIVE, componentStates().get("org.neologism.trainer.engine.TorchEngine"));
        assertEquals(ACTIVE, componentStates().get("org.neologism.trainer.shell.InfoCommand"));
    }

    /** Our components' states, read from SCR's runtime service by reflection (its API lives in the framework). */
    private Map<String, Integer> componentStates() throws Exception {
        BundleContext context = framework.getBundleContext();
        // getAll...: the test's class path holds its own copy of the DS API, which the plain lookup would
        // judge incompatible with SCR's.
        ServiceReference<?>[] references = context.getAllServiceReferences("org.osgi.service.component.runtime.ServiceComponentRuntime", null);
        assertNotNull(references, "SCR is not running");
        ServiceReference<?> reference = references[0];
        Object runtime = context.getService(reference);
        Class<?> runtimeType = reference.getBundle().loadClass("org.osgi.service.component.runtime.ServiceComponentRuntime");
        Class<?> descriptionType = reference.getBundle().loadClass("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
        Method descriptions = runtimeType.getMethod("getComponentDescriptionDTOs", Bundle[].class);
        Method configurations = runtimeType.getMethod("getComponentConfigurationDTOs", descriptionType);
        Map<String, Integer> states = new HashMap<>();
        for (Object description : (Collection<?>) descriptions.invoke(runtime, (Object) new Bundle[0])) {
            String name = (String) descriptionType.getField("name").get(description);
            if (!name.startsWith("org.neologism.")) {
                continue;
            }
            for (Object configuration : (Collection<?>) configurations.invoke(runtime, description)) {
                states.put(name, configuration.getClass().getField("state").getInt(configuration));
            }
            states.putIfAbsent(name, UNSATISFIED_CONFIGURATION);
        }
        return states;
    }
}
