package com.replyguard.deploy;

import com.replyguard.testing.RuntimeClientProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code sam build} packages ({@code target/deployable}: the classes, and the runtime-scope
 * jars in {@code lib/}), checked against what the Lambda runtime interface client loads from it,
 * in class loaders built as the client builds them: its own jars as the parent, the task root
 * and {@code lib/*.jar} as the function's. Test and local-run servers stay out, and the AWS SDK
 * brings one light HTTP client, not Netty nor Apache.
 */
class DeployableTest {

    private static final List<String> AWS_SERVICES = List.of("bedrockruntime", "sqs", "secretsmanager");

    private static Path deployable;
    private static List<String> jars;
    private static Element pomDependencies;

    @BeforeAll
    static void layOut() throws Exception {
        deployable = RuntimeClientProcess.deployable();
        try (Stream<Path> lib = Files.list(deployable.resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml"));
        pomDependencies = direct(pom.getDocumentElement(), "dependencies"); // the project's own, not dependencyManagement's
    }

    @Test
    void shouldDeserialiseEverySampleEvent_withTheRuntimeClientsSerialiser_fromTheDeployableAlone() throws Exception {
        try (URLClassLoader runtime = new URLClassLoader(urls(RuntimeClientProcess.clientClassPath()), ClassLoader.getPlatformClassLoader());
             URLClassLoader function = new URLClassLoader(functionUrls(), runtime)) {
            Class<?> handler = Class.forName("com.replyguard.lambda.ReplyGuardHandler", false, function);
            assertThat(handler.getClassLoader()).as("the handler comes from the deployable").isSameAs(function);
            Class<?> sqsEvent = Class.forName("com.amazonaws.services.lambda.runtime.events.SQSEvent", false, function);
            Class<?> response = Class.forName("com.amazonaws.services.lambda.runtime.events.SQSBatchResponse", false, function);
            // what the client's EventHandlerLoader does for a RequestHandler<SQSEvent, SQSBatchResponse>
            Class<?> serializers = Class.forName(
                    "com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers", true, runtime);
            Method serializerFor = serializers.getMethod("serializerFor", Class.class, ClassLoader.class);
            Object eventSerializer = serializerFor.invoke(null, sqsEvent, function);
            Object responseSerializer = serializerFor.invoke(null, response, function);
            Method fromJson = eventSerializer.getClass().getMethod("fromJson", InputStream.class);
            fromJson.setAccessible(true);
            try (Stream<Path> events = Files.list(Path.of("events"))) {
                for (Path file : events.filter(f -> !f.getFileName().toString().equals("env.json")).toList()) {
                    try (InputStream in = Files.newInputStream(file)) {
                        Object event = fromJson.invoke(eventSerializer, in);
                        List<?> records = (List<?>) sqsEvent.getMethod("getRecords").invoke(event);
                        assertThat(records).as(file + " records").isNotEmpty();
                    }
                }
            }
            Object empty = response.getConstructor(List.class).newInstance(List.of());
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            Method toJson = responseSerializer.getClass().getMethod("toJson", Object.class, java.io.OutputStream.class);
            toJson.setAccessible(true);
            toJson.invoke(responseSerializer, empty, json);
            assertThat(json.toString(StandardCharsets.UTF_8)).isEqualTo("{\"batchItemFailures\":[]}");
        }
    }

    @Test
    void shouldKeepEveryTestScopedDependency_outOfTheDeployable() {
        List<String> testScoped = new ArrayList<>();
        NodeList list = pomDependencies.getElementsByTagName("dependency");
        for (int i = 0; i < list.getLength(); i++) {
            Element dependency = (Element) list.item(i);
            if (dependency.getParentNode() == pomDependencies && "test".equals(text(dependency, "scope"))) {
                testScoped.add(text(dependency, "artifactId"));
            }
        }
        assertThat(testScoped).contains("embedded-redis", "wiremock-standalone", "elasticmq-server_2.13",
                "aws-lambda-java-runtime-interface-client");
        for (String artifact : testScoped) {
            assertThat(jars).as("lib/ of the deployable").noneMatch(jar -> jar.startsWith(artifact + "-"));
        }
        assertThat(jars).as("the runtime client's own libraries come from the runtime, not the deployable")
                .noneMatch(jar -> jar.startsWith("aws-lambda-java-serialization-"));
    }

    @Test
    void shouldShipTheSdkWithTheUrlConnectionClient_only() {
        assertThat(jars).anyMatch(jar -> jar.startsWith("url-connection-client-"));
        assertThat(jars).noneMatch(jar -> jar.startsWith("netty-nio-client-") || jar.startsWith("apache-client-")
                || jar.startsWith("apache5-client-") || jar.startsWith("httpclient-"));
        for (String service : AWS_SERVICES) {
            assertThat(jars).anyMatch(jar -> jar.startsWith(service + "-"));
        }
    }

    private static URL[] functionUrls() throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(deployable.toUri().toURL());
        for (String jar : jars) {
            urls.add(deployable.resolve("lib").resolve(jar).toUri().toURL());
        }
        return urls.toArray(URL[]::new);
    }

    private static URL[] urls(String classPath) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        return urls.toArray(URL[]::new);
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
