package org.neologism.core.internal.settings;

import java.nio.file.Path;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/** {@link Settings} from ConfigAdmin (PID {@code org.neologism}), falling back to the framework and the environment. */
@Component(service = Settings.class, configurationPid = Settings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SettingsConfiguration.class)
public class ConfiguredSettings implements Settings {

    private final BundleContext context;
    private volatile SettingsConfiguration configuration;

    @Activate
    public ConfiguredSettings(BundleContext context, SettingsConfiguration configuration) {
        this.context = context;
        this.configuration = configuration;
    }

    /** A changed configuration applies to the next command; services holding this one keep it. */
    @Modified
    void modified(SettingsConfiguration changed) {
        this.configuration = changed;
    }

    @Override
    public RootFolder root() {
        String configured = configuration.root();
        if (configured != null && !configured.isBlank()) {
            return new RootFolder(Path.of(configured));
        }
        return RootFolder.resolve(context::getProperty, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    @Override
    public String device() {
        String device = configuration.device();
        return device == null ? "" : device.strip();
    }

    @Override
    public int cpuThreads() {
        return Math.max(0, configuration.cpu_threads());
    }
}
