package org.neologism.schedules.integration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.neologism.schedules.integration.variant.HalvedLinearSchedule;

/**
 * A second version of {@code org.neologism.schedules} whose {@code linear} is
 * {@link HalvedLinearSchedule}: the bundle a user would install with {@code update}.
 */
final class VariantBundle {

    static final String VERSION = "0.1.1.variant";

    private VariantBundle() {}

    /** The halved {@code linear} as a new version of our schedules bundle. */
    static Path write(Path folder) throws IOException {
        return write(folder, "org.neologism.schedulers", VERSION, "linear", 0);
    }

    /**
     * The halved {@code linear} as bundle {@code symbolicName}, registered as {@code scheduleName} with
     * {@code service.ranking} {@code ranking}: with a different symbolic name and a higher ranking it is
     * a replacement installed beside ours.
     */
    static Path write(Path folder, String symbolicName, String version, String scheduleName, int ranking) throws IOException {
        Class<?> component = HalvedLinearSchedule.class;
        String classFile = component.getName().replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        main.putValue("Import-Package", "org.neologism.core.schedule;version=\"[1.0,2)\"");
        main.putValue("Service-Component", "OSGI-INF/linear.xml");
        String description = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="variant.linear">
                  <property name="scheduler.name" type="String" value="%s"/>
                  <property name="service.ranking" type="Integer" value="%d"/>
                  <service><provide interface="org.neologism.core.schedule.LearningRateSchedule"/></service>
                  <implementation class="%s"/>
                </scr:component>
                """.formatted(scheduleName, ranking, component.getName());
        Path jar = folder.resolve(symbolicName + "-" + version + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream classBytes = component.getClassLoader().getResourceAsStream(classFile)) {
            if (classBytes == null) {
                throw new IOException(classFile + " is not on the test class path");
            }
            out.putNextEntry(new JarEntry("OSGI-INF/linear.xml"));
            out.write(description.getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry(classFile));
            classBytes.transferTo(out);
        }
        return jar;
    }
}
