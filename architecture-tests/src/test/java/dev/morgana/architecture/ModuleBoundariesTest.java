package dev.morgana.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §1 as a test: the api depends on the JDK alone, and no library module depends on a backend.
 * It reads the compiled module descriptors, which javac enforces: a module cannot use what it does not
 * require. (The Maven side is the enforcer's {@code bannedDependencies} rule in the parent pom.)
 */
class ModuleBoundariesTest {

    static final Set<String> LIBRARIES = Set.of("dev.morgana.api", "dev.morgana.runtime", "dev.morgana.testing",
            "dev.morgana.net.ethernet", "dev.morgana.net.tcpip", "dev.morgana.fs.embedded", "dev.morgana.fs.block",
            "dev.morgana.http");

    static final Set<String> BACKENDS = Set.of("dev.morgana.unix", "dev.morgana.xen");

    /** Every Morgana module descriptor on the test class path, by name. */
    static Map<String, ModuleDescriptor> morganaModules() throws IOException {
        Map<String, ModuleDescriptor> modules = new TreeMap<>();
        for (URL url : Collections.list(ModuleBoundariesTest.class.getClassLoader().getResources("module-info.class"))) {
            try (InputStream in = url.openStream()) {
                ModuleDescriptor descriptor = ModuleDescriptor.read(in);
                if (descriptor.name().startsWith("dev.morgana.")) {
                    modules.put(descriptor.name(), descriptor);
                }
            }
        }
        return modules;
    }

    /** What is wrong with one module's requirements, in words; empty when nothing is. */
    static List<String> violations(ModuleDescriptor module) {
        List<String> violations = new ArrayList<>();
        for (ModuleDescriptor.Requires requires : module.requires()) {
            String target = requires.name();
            if (module.name().equals("dev.morgana.api") && !target.startsWith("java.") && !target.startsWith("jdk.")) {
                violations.add("dev.morgana.api must depend on the JDK alone, but requires " + target);
            }
            if (LIBRARIES.contains(module.name()) && BACKENDS.contains(target)) {
                violations.add("library " + module.name() + " must not depend on a backend, but requires " + target);
            }
        }
        return violations;
    }

    @Test
    void everyModuleIsSeen() throws IOException {
        Set<String> expected = new java.util.TreeSet<>(LIBRARIES);
        expected.addAll(BACKENDS);
        assertEquals(expected, morganaModules().keySet(), "a module was added or renamed: update this test and DESIGN §1");
    }

    @Test
    void noModuleCrossesABoundary() throws IOException {
        List<String> violations = new ArrayList<>();
        morganaModules().values().forEach(module -> violations.addAll(violations(module)));
        assertEquals(List.of(), violations);
    }

    @Test
    void theRulesCatchViolations() {
        ModuleDescriptor api = ModuleDescriptor.newModule("dev.morgana.api").requires("java.logging")
                .requires("com.google.guice").build();
        assertEquals(List.of("dev.morgana.api must depend on the JDK alone, but requires com.google.guice"),
                violations(api));
        ModuleDescriptor http = ModuleDescriptor.newModule("dev.morgana.http").requires("dev.morgana.api")
                .requires("dev.morgana.unix").build();
        assertEquals(List.of("library dev.morgana.http must not depend on a backend, but requires dev.morgana.unix"),
                violations(http));
        ModuleDescriptor unix = ModuleDescriptor.newModule("dev.morgana.unix").requires("dev.morgana.xen").build();
        assertTrue(violations(unix).isEmpty(), "backends may use each other's libraries");
    }

    /** The module descriptor cannot see a jar that is on the class path but unused; the pom can. */
    @Test
    void theApiPomDeclaresNoDependencyOutsideItsTests() throws Exception {
        javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        org.w3c.dom.Document pom = factory.newDocumentBuilder()
                .parse(java.nio.file.Path.of("..", "api", "pom.xml").toFile());
        org.w3c.dom.NodeList dependencies = pom.getElementsByTagName("dependency");
        List<String> beyondTests = new ArrayList<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            org.w3c.dom.Element dependency = (org.w3c.dom.Element) dependencies.item(i);
            org.w3c.dom.NodeList scope = dependency.getElementsByTagName("scope");
            if (scope.getLength() == 0 || !scope.item(0).getTextContent().strip().equals("test")) {
                beyondTests.add(dependency.getElementsByTagName("artifactId").item(0).getTextContent().strip());
            }
        }
        assertEquals(List.of(), beyondTests, "api/pom.xml may depend on nothing but test libraries");
    }
}
