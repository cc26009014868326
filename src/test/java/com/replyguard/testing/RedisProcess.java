package com.replyguard.testing;

import redis.embedded.core.ExecutableProvider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process (the Linux binary shipped in
 * {@code com.github.codemonstur:embedded-redis}, which is built with TLS), driven directly so that
 * tests can kill it with SIGKILL and start it again on the same port with the same data directory
 * (a cluster node keeps its {@code nodes.conf}). It always listens on a plain loopback port, used
 * to inspect the server; optionally also on a TLS port, with a password, in cluster mode.
 */
public final class RedisProcess implements AutoCloseable {

    private static Path binary;

    private final int port;
    private final Integer tlsPort;
    private final String password;
    private final Path dir;
    private final List<String> command;
    private Process process;

    private RedisProcess(int port, Integer tlsPort, String password, Path dir, List<String> command) {
        this.port = port;
        this.tlsPort = tlsPort;
        this.password = password;
        this.dir = dir;
        this.command = command;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String password;
        private TlsFiles tls;
        private boolean cluster;
        private final List<String> settings = new ArrayList<>();

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** Also listen with TLS (server certificate {@code tls}), on a port of its own. */
        public Builder tls(TlsFiles tls) {
            this.tls = tls;
            return this;
        }

        public Builder cluster() {
            this.cluster = true;
            return this;
        }

        /** A raw setting, e.g. {@code setting("cluster-node-timeout", "2000")}. */
        public Builder setting(String name, String... values) {
            settings.add("--" + name);
            settings.addAll(List.of(values));
            return this;
        }

        /**
         * Starts a server on free ports. Other processes on the machine may take a port between the
         * check and the bind: then it tries again with other ports (three times).
         */
        public RedisProcess start() {
            for (int attempt = 1; ; attempt++) {
                try {
                    return startOnce();
                } catch (PortTakenException e) {
                    if (attempt == 3) {
                        throw e;
                    }
                }
            }
        }

        private RedisProcess startOnce() {
            // a cluster node also listens on port + 10000 (its bus): both must be free and <= 65535
            int port = freePort(cluster && tls == null);
            Integer tlsPort = tls == null ? null : freePort(cluster);
            Path dir;
            try {
                dir = Files.createTempDirectory("redis-" + port + "-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> command = new ArrayList<>(List.of(binary().toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice"));
            if (password != null) {
                command.addAll(List.of("--requirepass", password, "--masterauth", password));
            }
            if (tls != null) {
                command.addAll(List.of("--tls-port", Integer.toString(tlsPort),
                        "--tls-cert-file", tls.certificate().toString(), "--tls-key-file", tls.privateKey().toString(),
                        "--tls-ca-cert-file", tls.certificate().toString(), "--tls-auth-clients", "no"));
                if (cluster) {
                    command.addAll(List.of("--tls-cluster", "yes", "--tls-replication", "yes"));
                }
            }
            if (cluster) {
                command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
            }
            command.addAll(settings);
            RedisProcess redis = new RedisProcess(port, tlsPort, password, dir, command);
            Runtime.getRuntime().addShutdownHook(new Thread(redis::close)); // never leave a server behind
            try {
                redis.restart();
            } catch (IllegalStateException e) {
                if (redis.log().contains("Address already in use")) {
                    throw new PortTakenException(e.getMessage());
                }
                throw e;
            }
            return redis;
        }
    }

    private static final class PortTakenException extends IllegalStateException {
        PortTakenException(String message) {
            super(message);
        }
    }

    /** Starts the server (again, after {@link #kill}), same port and directory; returns when it answers PING. */
    public synchronized RedisProcess restart() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command.getFirst(), e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start:\n" + log());
            }
            String answer = command("PING");
            if ("+PONG".equals(answer)) {
                return this;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not answer PING within 15 s:\n" + log());
            }
            sleepQuietly(20); // waiting for a process to start listening: polling is the only way
        }
    }

    /** SIGKILL, as a crash or an instance replacement: no shutdown, no goodbye to clients. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not die within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    /** The TLS port, or the plain port when TLS is off. */
    public int clientPort() {
        return tlsPort == null ? port : tlsPort;
    }

    public String password() {
        return password;
    }

    /**
     * Sends one inline command on a fresh plain connection (authenticating first when a password is
     * set) and returns the first line of the answer, or null when the server cannot be reached.
     */
    public String command(String inline) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            if (password != null) {
                out.write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String auth = in.readLine();
                if (!"+OK".equals(auth)) {
                    return auth;
                }
            }
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Sends one inline command like {@link #command} and returns a bulk-string answer's payload
     * (CLUSTER INFO, CLUSTER MYID, INFO…), or the first line of any other answer; null when unreachable.
     */
    public String query(String inline) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            if (password != null) {
                out.write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                readLine(in);
            }
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String header = readLine(in);
            if (header == null || !header.startsWith("$") || header.equals("$-1")) {
                return header;
            }
            byte[] payload = new byte[Integer.parseInt(header.substring(1))];
            in.readFully(payload);
            return new String(payload, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static String readLine(java.io.DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read(); // '\n'
                return line.toString();
            }
            line.append((char) c);
        }
        return null;
    }

    public String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Kills the server and deletes its directory (log, nodes.conf). */
    @Override
    public void close() {
        kill();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private static synchronized Path binary() {
        if (binary == null) {
            try {
                binary = ExecutableProvider.newJarResourceProvider().get().toPath();
            } catch (IOException e) {
                throw new UncheckedIOException("could not extract the redis-server binary", e);
            }
        }
        return binary;
    }

    /** A loopback port nothing listens on: connecting to it is refused. */
    public static int unusedPort() {
        return freePort(false);
    }

    /** A free loopback port; with {@code withBus}, port + 10000 is free too (a cluster node's bus). */
    static int freePort(boolean withBus) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = withBus ? ThreadLocalRandom.current().nextInt(20_000, 45_000) : 0;
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", candidate));
                if (!withBus) {
                    return socket.getLocalPort();
                }
                try (ServerSocket bus = new ServerSocket()) {
                    bus.setReuseAddress(true);
                    bus.bind(new InetSocketAddress("127.0.0.1", candidate + 10_000));
                    return candidate;
                }
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port found");
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
