package dev.morgana.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The BOM does not inherit the parent (so that importing it gives a user only what it lists), which means
 * its versions are written twice. This keeps the two copies, and the list of artifacts, in step.
 */
class BomTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void listsEveryPublishedArtifactOfTheReactor() throws Exception {
        Set<String> published = new TreeSet<>();
        for (String module : children(read(ROOT.resolve("pom.xml")), "modules", "module")) {
            Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
            String artifact = text(pom.getDocumentElement(), "artifactId");
            boolean notPublished = module.startsWith("examples/") || module.equals("benchmarks")
                    || module.equals("architecture-tests") || module.equals("bom");
            if (!notPublished) {
                published.add(artifact);
            }
        }
        Set<String> listed = new TreeSet<>();
        for (Element dependency : managed(read(ROOT.resolve("bom/pom.xml")))) {
            if (text(dependency, "groupId").equals("dev.morgana")) {
                listed.add(text(dependency, "artifactId"));
            }
        }
        assertEquals(published, listed);
        assertTrue(listed.contains("morgana-api") && listed.contains("morgana-unix"));
    }

    @Test
    void thirdPartyVersionsMatchTheParent() throws Exception {
        Map<String, String> parent = properties(read(ROOT.resolve("pom.xml")));
        Map<String, String> bom = properties(read(ROOT.resolve("bom/pom.xml")));
        for (String name : bom.keySet()) {
            String inParent = name.equals("morgana.version") ? text(read(ROOT.resolve("pom.xml")).getDocumentElement(), "version")
                    : parent.get(name);
            assertEquals(inParent, bom.get(name), "bom/pom.xml property " + name);
        }
        assertTrue(bom.keySet().containsAll(Set.of("guice.version", "asm.version", "guava.version", "junit.version")));
    }

    private static Document read(Path pom) throws Exception {
        assertTrue(Files.isRegularFile(pom), pom + " exists");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }

    private static java.util.List<String> children(Document pom, String list, String item) {
        Element parent = (Element) pom.getDocumentElement().getElementsByTagName(list).item(0);
        NodeList nodes = parent.getElementsByTagName(item);
        java.util.List<String> values = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(nodes.item(i).getTextContent().strip());
        }
        return values;
    }

    private static java.util.List<Element> managed(Document pom) {
        NodeList nodes = pom.getElementsByTagName("dependency");
        java.util.List<Element> dependencies = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            dependencies.add((Element) nodes.item(i));
        }
        return dependencies;
    }

    private static Map<String, String> properties(Document pom) {
        Element properties = (Element) pom.getDocumentElement().getElementsByTagName("properties").item(0);
        Map<String, String> values = new TreeMap<>();
        NodeList nodes = properties.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element property) {
                values.put(property.getTagName(), property.getTextContent().strip());
            }
        }
        return values;
    }

    /** The text of the first direct child called {@code name}. */
    private static String text(Element element, String name) {
        NodeList nodes = element.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element child && child.getTagName().equals(name)) {
                return child.getTextContent().strip();
            }
        }
        throw new AssertionError("no <" + name + "> in <" + element.getTagName() + ">");
    }
}
