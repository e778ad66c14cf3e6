package org.neologism.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Semantic versioning of the exported packages, checked offline from a clean clone: {@code src/test/resources/api/}
 * records each exported package's public API (types, fields, constructors, methods) at its {@code @Version}.
 * The test fails when a package's API differs from the record of its version, so an API change needs a bump:
 * major when anything recorded is gone or changed, minor when there are only additions. After bumping, record
 * the new API with {@code mvn -pl core test -Dtest=ExportedApiTest -Dneologism.api.update=true} (which refuses a
 * bump too small for the change) and commit the record with the change.
 *
 * <p>It cannot tell a consumer-implemented interface from a provider-implemented one ({@code @ProviderType} is
 * not kept at run time), so a method added to an interface that consumers implement is judged minor; that case
 * needs the reviewer's eye.
 */
class ExportedApiTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path RECORDS = Path.of("src/test/resources/api");
    private static final Pattern VERSION = Pattern.compile("@org\\.osgi\\.annotation\\.versioning\\.Version\\(\"(\\d+)\\.(\\d+)\\.(\\d+)\"\\)");
    private static final boolean UPDATE = Boolean.getBoolean("neologism.api.update");

    record Version(int major, int minor, int micro) implements Comparable<Version> {
        static Version parse(String text) {
            String[] parts = text.strip().split("\\.");
            return new Version(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }

        @Override
        public int compareTo(Version other) {
            return major != other.major ? Integer.compare(major, other.major)
                    : minor != other.minor ? Integer.compare(minor, other.minor) : Integer.compare(micro, other.micro);
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + micro;
        }
    }

    @Test
    void everyExportedPackageMatchesTheApiRecordedForItsVersion() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Path packageInfo : exportedPackageInfos()) {
            String pkg = SOURCES.relativize(packageInfo.getParent()).toString().replace('/', '.');
            Matcher version = VERSION.matcher(Files.readString(packageInfo));
            if (!version.find()) {
                problems.add(pkg + " is exported without @Version");
                continue;
            }
            Version current = new Version(Integer.parseInt(version.group(1)), Integer.parseInt(version.group(2)),
                    Integer.parseInt(version.group(3)));
            List<String> api = signature(pkg);
            Path record = RECORDS.resolve(pkg + ".api");
            if (!Files.isRegularFile(record)) {
                problems.add(pkg + " " + current + " has no recorded API in " + record);
                write(record, current, api);
                continue;
            }
            List<String> lines = Files.readAllLines(record);
            Version recorded = Version.parse(lines.get(0).replaceFirst("^version ", ""));
            List<String> before = lines.subList(1, lines.size());
            if (before.equals(api) && recorded.equals(current)) {
                continue;
            }
            Set<String> removed = new TreeSet<>(before);
            api.forEach(removed::remove);
            Set<String> added = new TreeSet<>(api);
            before.forEach(added::remove);
            Version needed = needed(recorded, before, api);
            if (current.compareTo(needed) < 0) {
                problems.add(pkg + ": its API changed since " + recorded + " and needs at least " + needed + ", not " + current
                        + " (bump @Version in " + packageInfo + "); gone or changed: " + removed + "; added: " + added);
            } else if (UPDATE) {
                write(record, current, api);
            } else {
                problems.add(pkg + " " + current + ": the API differs from the record of " + recorded + "; record it with"
                        + " -Dneologism.api.update=true (gone or changed: " + removed + "; added: " + added + ")");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** The least version after {@code recorded} that an API change from {@code before} to {@code after} needs. */
    static Version needed(Version recorded, List<String> before, List<String> after) {
        if (!after.containsAll(before)) {
            return new Version(recorded.major() + 1, 0, 0);
        }
        return before.containsAll(after) ? recorded : new Version(recorded.major(), recorded.minor() + 1, 0);
    }

    @Test
    void aRemovalNeedsAMajorBumpAnAdditionAMinorOne() throws Exception {
        List<String> api = signature("org.neologism.core.training");
        Version recorded = new Version(2, 0, 0);
        List<String> fewer = api.subList(1, api.size());
        assertEquals(new Version(3, 0, 0), needed(recorded, api, fewer));
        assertEquals(new Version(2, 1, 0), needed(recorded, fewer, api));
        assertEquals(recorded, needed(recorded, api, api));
        List<String> changed = new ArrayList<>(api);
        changed.set(0, api.get(0) + " (changed)");
        assertEquals(new Version(3, 0, 0), needed(recorded, api, changed));
    }

    private static void write(Path record, Version version, List<String> api) throws IOException {
        if (UPDATE) {
            Files.createDirectories(record.getParent());
            List<String> lines = new ArrayList<>();
            lines.add("version " + version);
            lines.addAll(api);
            Files.write(record, lines);
        }
    }

    private static List<Path> exportedPackageInfos() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(file -> file.getFileName().toString().equals("package-info.java"))
                    .filter(file -> {
                        try {
                            return Files.readString(file).contains("@org.osgi.annotation.bundle.Export");
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).sorted().toList();
        }
    }

    /** The package's public API, one sorted line per type and member. */
    static List<String> signature(String pkg) throws Exception {
        Path folder = Path.of("target/classes").resolve(pkg.replace('.', '/'));
        TreeSet<String> lines = new TreeSet<>();
        List<Path> classes;
        try (Stream<Path> files = Files.list(folder)) {
            classes = files.filter(file -> file.toString().endsWith(".class")).sorted().toList();
        }
        for (Path file : classes) {
            String name = file.getFileName().toString().replaceFirst("\\.class$", "");
            if (name.equals("package-info")) {
                continue;
            }
            Class<?> type = Class.forName(pkg + "." + name, false, ExportedApiTest.class.getClassLoader());
            if (!isVisible(type)) {
                continue;
            }
            describe(type, lines);
        }
        return List.copyOf(lines);
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()
                    || !(Modifier.isPublic(t.getModifiers()) || Modifier.isProtected(t.getModifiers()))) {
                return false;
            }
        }
        return true;
    }

    private static void describe(Class<?> type, Set<String> lines) {
        String name = type.getName().substring(type.getPackageName().length() + 1);
        String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
                : type.isRecord() ? "record" : "class";
        String modifiers = Modifier.toString(type.getModifiers() & (Modifier.ABSTRACT | Modifier.FINAL | Modifier.STATIC)
                & (type.isInterface() ? 0 : ~0));
        String supertypes = Stream.concat(
                        type.getGenericSuperclass() == null || type.isEnum() || type.isRecord()
                                || type.getSuperclass() == Object.class ? Stream.<Type>empty()
                                : Stream.of(type.getGenericSuperclass()),
                        Arrays.stream(type.getGenericInterfaces()))
                .map(Type::getTypeName).collect(Collectors.joining(", "));
        lines.add(name + " : " + (modifiers.isEmpty() ? "" : modifiers + " ") + kind
                + (supertypes.isEmpty() ? "" : " < " + supertypes));
        for (Field field : type.getDeclaredFields()) {
            if (visible(field.getModifiers()) && !field.isSynthetic()) {
                lines.add(name + "." + field.getName() + " : " + modifiers(field.getModifiers()) + "field "
                        + field.getGenericType().getTypeName());
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (visible(constructor.getModifiers()) && !constructor.isSynthetic()) {
                lines.add(name + ".<init>(" + parameters(constructor.getGenericParameterTypes()) + ")"
                        + exceptions(constructor.getGenericExceptionTypes()));
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (visible(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
                lines.add(name + "." + method.getName() + "(" + parameters(method.getGenericParameterTypes()) + ") : "
                        + modifiers(method.getModifiers() & ~Modifier.PUBLIC)
                        + (method.isDefault() ? "default " : "") + method.getGenericReturnType().getTypeName()
                        + exceptions(method.getGenericExceptionTypes()));
            }
        }
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String modifiers(int modifiers) {
        String text = Modifier.toString(modifiers & (Modifier.STATIC | Modifier.FINAL | Modifier.ABSTRACT | Modifier.PROTECTED));
        return text.isEmpty() ? "" : text + " ";
    }

    private static String parameters(Type[] types) {
        return Arrays.stream(types).map(Type::getTypeName).collect(Collectors.joining(", "));
    }

    private static String exceptions(Type[] types) {
        return types.length == 0 ? "" : " throws " + parameters(types);
    }
}
