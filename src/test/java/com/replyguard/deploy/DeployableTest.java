package com.replyguard.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code sam build} packages: the runtime-scope dependencies of pom.xml. Test and local-run
 * servers stay out of it, and the AWS SDK brings one light HTTP client, not Netty nor Apache.
 */
class DeployableTest {

    private static final List<String> TEST_ONLY = List.of("junit-jupiter", "assertj-core", "aws-lambda-java-tests",
            "joda-time", "embedded-redis", "wiremock-standalone", "elasticmq-server_2.13", "snakeyaml");
    private static final List<String> AWS_SERVICES = List.of("bedrockruntime", "sqs", "secretsmanager");

    private static final Map<String, Element> dependencies = new LinkedHashMap<>();

    @BeforeAll
    static void readPom() throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml"));
        Element project = pom.getDocumentElement();
        Element deps = direct(project, "dependencies"); // the project's own, not dependencyManagement's
        NodeList list = deps.getElementsByTagName("dependency");
        for (int i = 0; i < list.getLength(); i++) {
            Element dependency = (Element) list.item(i);
            if (dependency.getParentNode() == deps) {
                dependencies.put(text(dependency, "artifactId"), dependency);
            }
        }
    }

    @Test
    void shouldKeepTestAndLocalServers_outOfTheDeployable() {
        for (String artifact : TEST_ONLY) {
            assertThat(dependencies).containsKey(artifact);
            assertThat(text(dependencies.get(artifact), "scope")).as(artifact + " scope").isEqualTo("test");
        }
    }

    @Test
    void shouldShipTheSdkWithTheUrlConnectionClient_only() {
        assertThat(dependencies).containsKeys("url-connection-client", "crac");
        for (String service : AWS_SERVICES) {
            List<String> excluded = new ArrayList<>();
            NodeList exclusions = dependencies.get(service).getElementsByTagName("exclusion");
            for (int i = 0; i < exclusions.getLength(); i++) {
                excluded.add(text((Element) exclusions.item(i), "artifactId"));
            }
            assertThat(excluded).as(service + " exclusions").contains("netty-nio-client", "apache-client");
            assertThat(text(dependencies.get(service), "scope")).as(service + " is packaged").isNull();
        }
    }

    private static Element direct(Element parent, String name) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no <" + name + "> in " + parent.getTagName());
    }

    private static String text(Element element, String child) {
        NodeList children = element.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals(child)) {
                return e.getTextContent().strip();
            }
        }
        return null;
    }
}
