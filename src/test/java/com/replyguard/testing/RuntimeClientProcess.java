package com.replyguard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Lambda container: a JVM running the real AWS Lambda Java Runtime Interface Client (the
 * client of Lambda's managed Java runtimes) on the deployable as {@code sam build} lays it out,
 * talking to a {@link LoopbackRuntimeApi}.
 *
 * <p>As on Lambda: the client and its own libraries are the JVM's class path (the managed runtime's
 * {@code /var/runtime/lib}); the function is loaded by the client's own class loader from the task
 * root, the working directory, which holds {@code target/classes} at its root and the runtime-scope
 * jars in {@code lib/} ({@code target/deployable}, filled by the build); the environment is the one
 * Lambda sets, plus the function's variables. Nothing from the test class path reaches the function.
 */
public final class RuntimeClientProcess implements AutoCloseable {

    public static final String HANDLER = "com.replyguard.lambda.ReplyGuardHandler::handleRequest";
    private static final String CLIENT_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** The client's own classes, found on the test class path: its jar and the jars it needs. */
    private static final List<String> CLIENT_CLASSES = List.of(CLIENT_MAIN,
            "com.amazonaws.services.lambda.runtime.Context",
            "com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers",
            "software.amazon.awssdk.utilslite.SdkInternalThreadLocal");

    private static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private static Path deployable;
    private static Path jniLibrary;

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    private RuntimeClientProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), stdout, "stdout");
        pump(process.getErrorStream(), stderr, "stderr");
    }

    /**
     * The deployable as {@code sam build} lays it out: {@code target/classes} copied to the root of
     * {@code target/deployable}, whose {@code lib/} the build filled with the runtime-scope jars.
     */
    public static synchronized Path deployable() {
        if (deployable == null) {
            deployable = layOut(Path.of("target").toAbsolutePath());
        }
        return deployable;
    }

    /**
     * Lays out a Maven build's {@code target} as {@code sam build} does: {@code classes} copied to
     * the root of {@code deployable}, whose {@code lib/} the build filled with the runtime-scope jars.
     */
    public static Path layOut(Path target) {
        Path root = target.resolve("deployable");
        Path lib = root.resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: the build's copy-dependencies step fills it (mvn test runs it)");
        }
        Path classes = target.resolve("classes");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = root.resolve(classes.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    /** The jars of the runtime interface client and its libraries, as the managed runtime puts them on the class path. */
    public static String clientClassPath() {
        List<String> jars = new ArrayList<>();
        for (String name : CLIENT_CLASSES) {
            try {
                Class<?> type = Class.forName(name, false, RuntimeClientProcess.class.getClassLoader());
                String jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                if (!jars.contains(jar)) {
                    jars.add(jar);
                }
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new IllegalStateException("the runtime interface client's class " + name + " is not on the test class path", e);
            }
        }
        return String.join(java.io.File.pathSeparator, jars);
    }

    /** The client's JNI library for this machine, copied once from the client's jar to a file of its own. */
    private static synchronized Path jniLibrary() {
        if (jniLibrary == null) {
            String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64";
            String resource = "jni/libaws-lambda-jni.linux-" + arch + ".so";
            try (InputStream in = Class.forName(CLIENT_MAIN, false, RuntimeClientProcess.class.getClassLoader())
                    .getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the runtime interface client's jar has no " + resource);
                }
                Path dir = Files.createTempDirectory("runtime-client-jni-");
                dir.toFile().deleteOnExit(); // registered first, so deleted after the file in it
                Path library = dir.resolve("libaws-lambda-jni.so");
                Files.copy(in, library);
                library.toFile().deleteOnExit();
                jniLibrary = library;
            } catch (IOException e) {
                throw new UncheckedIOException("could not copy the runtime interface client's JNI library", e);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the runtime interface client is not on the test class path", e);
            }
        }
        return jniLibrary;
    }

    /** The variables Lambda sets in every container of the function, before the function's own. */
    public static Map<String, String> lambdaEnvironment(LoopbackRuntimeApi api, boolean snapStart) {
        return lambdaEnvironment(api, snapStart, deployable());
    }

    private static Map<String, String> lambdaEnvironment(LoopbackRuntimeApi api, boolean snapStart, Path taskRoot) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "reply-guard");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", snapStart ? "7" : "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/reply-guard");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/01/[$LATEST]0123456789abcdef");
        env.put("AWS_LAMBDA_LOG_FORMAT", "JSON");
        env.put("AWS_LAMBDA_LOG_LEVEL", "DEBUG"); // the template's ApplicationLogLevel
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", snapStart ? "snap-start" : "on-demand");
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_REGION", "eu-west-3");
        env.put("AWS_DEFAULT_REGION", "eu-west-3");
        env.put("_HANDLER", HANDLER);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        return env;
    }

    /**
     * Starts a container: the client's JVM with the function's variables over Lambda's.
     *
     * @param function the function's environment variables (the template's, with test overrides);
     *                 {@code JAVA_TOOL_OPTIONS} among them is read by the JVM, as on Lambda
     */
    public static RuntimeClientProcess start(LoopbackRuntimeApi api, boolean snapStart, Map<String, String> function) {
        return start(api, snapStart, function, deployable());
    }

    /**
     * Starts a container on another deployable laid out the same way (for example an earlier
     * commit's build, as the fleet run's baseline does).
     */
    public static RuntimeClientProcess start(LoopbackRuntimeApi api, boolean snapStart, Map<String, String> function,
                                             Path taskRoot) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // what the managed runtime passes (besides heap sizing): serial GC, CDS, and the client's own CRaC
        command.add("-XX:+UseSerialGC");
        command.add("-Xshare:auto");
        command.add("-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac");
        // the client loads its JNI library: newer JDKs than the runtime's 21 warn about it unless allowed
        command.add("--enable-native-access=ALL-UNNAMED");
        // where the library is, as the managed runtime says; without it each client copies the library
        // to one fixed file in /tmp, and clients starting together load each other's half-written copy
        command.add("-D" + JNI_PROPERTY + "=" + jniLibrary());
        command.add("-cp");
        command.add(clientClassPath());
        command.add(CLIENT_MAIN);
        command.add(HANDLER);
        ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile());
        builder.environment().clear();
        builder.environment().putAll(lambdaEnvironment(api, snapStart, taskRoot));
        builder.environment().putAll(function);
        try {
            return new RuntimeClientProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the runtime interface client", e);
        }
    }

    public List<String> stdout() {
        return List.copyOf(stdout);
    }

    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as Lambda stops a container at its timeout: no hook, no flush. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }

    private static void pump(InputStream in, List<String> into, String name) {
        Thread.ofPlatform().daemon().name("runtime-client-" + name).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
    }
}
