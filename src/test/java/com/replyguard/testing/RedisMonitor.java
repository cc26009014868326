package com.replyguard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Redis {@code MONITOR} over plain sockets to count the commands clients send: each line
 * {@code [0 127.0.0.1:PORT] "evalsha" …} is a round trip, while {@code [0 lua] "get" …} is a
 * command run inside a script and is not. (INFO commandstats counts both, so it cannot tell them apart.)
 * On a cluster it monitors every node: a round trip reaches exactly one of them.
 */
public final class RedisMonitor implements AutoCloseable {

    private final List<Node> nodes;
    private final String password;

    private record Node(int port, Socket socket, BufferedReader in) {
    }

    private RedisMonitor(List<Node> nodes, String password) {
        this.nodes = nodes;
        this.password = password;
    }

    /** Monitors every server of {@link RealRedis} (one, or each node of a cluster). */
    public static RedisMonitor start() {
        return start(RealRedis.password(), RealRedis.ports());
    }

    /** Monitors one server with no password. */
    public static RedisMonitor start(int port) {
        return start(null, List.of(port));
    }

    public static RedisMonitor start(String password, List<Integer> ports) {
        List<Node> nodes = new ArrayList<>();
        try {
            for (int port : ports) {
                Socket socket = new Socket("127.0.0.1", port);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                nodes.add(new Node(port, socket, in));
                authenticate(socket, in, password);
                OutputStream out = socket.getOutputStream();
                out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String ok = in.readLine();
                if (!"+OK".equals(ok)) {
                    throw new IllegalStateException("MONITOR answered " + ok);
                }
            }
            return new RedisMonitor(nodes, password);
        } catch (IOException e) {
            nodes.forEach(n -> closeQuietly(n.socket()));
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code ECHO marker} to each monitored server from another connection and returns every
     * client command seen before it: MONITOR delivers a server's commands in execution order, so no
     * sleep is needed.
     */
    public List<String> clientCommandsUntilMarker(String marker) {
        List<String> commands = new ArrayList<>();
        for (Node node : nodes) {
            commands.addAll(untilMarker(node, marker));
        }
        return commands;
    }

    /** Same as {@link #clientCommandsUntilMarker(String)}; the port is ignored (kept for existing callers). */
    public List<String> clientCommandsUntilMarker(int port, String marker) {
        return clientCommandsUntilMarker(marker);
    }

    private List<String> untilMarker(Node node, String marker) {
        try (Socket other = new Socket("127.0.0.1", node.port())) {
            BufferedReader answers = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            authenticate(other, answers, password);
            other.getOutputStream().write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
            other.getOutputStream().flush();
            List<String> commands = new ArrayList<>();
            String line;
            while ((line = node.in().readLine()) != null) {
                if (line.contains("\"ECHO\" \"" + marker + "\"") || line.contains("\"echo\" \"" + marker + "\"")) {
                    return commands;
                }
                if (!line.contains("[0 lua]") && !line.contains("\"auth\"") && !line.contains("\"AUTH\"")) {
                    commands.add(line);
                }
            }
            throw new IllegalStateException("MONITOR stream ended before the marker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void authenticate(Socket socket, BufferedReader in, String password) throws IOException {
        if (password == null) {
            return;
        }
        socket.getOutputStream().write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        String ok = in.readLine();
        if (!"+OK".equals(ok)) {
            throw new IllegalStateException("AUTH answered " + ok);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() {
        nodes.forEach(n -> closeQuietly(n.socket()));
    }
}
