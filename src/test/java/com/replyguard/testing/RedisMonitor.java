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
 * Reads Redis {@code MONITOR} over a plain socket to count the commands clients send: each line
 * {@code [0 127.0.0.1:PORT] "evalsha" …} is a round trip, while {@code [0 lua] "get" …} is a
 * command run inside a script and is not. (INFO commandstats counts both, so it cannot tell them apart.)
 */
public final class RedisMonitor implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;

    private RedisMonitor(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    public static RedisMonitor start(int port) {
        try {
            RedisMonitor monitor = new RedisMonitor(new Socket("127.0.0.1", port));
            OutputStream out = monitor.socket.getOutputStream();
            out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String ok = monitor.in.readLine();
            if (!"+OK".equals(ok)) {
                throw new IllegalStateException("MONITOR answered " + ok);
            }
            return monitor;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code ECHO marker} from another connection and returns every client command seen
     * before it: MONITOR delivers commands in execution order, so no sleep is needed.
     */
    public List<String> clientCommandsUntilMarker(int port, String marker) {
        try (Socket other = new Socket("127.0.0.1", port)) {
            other.getOutputStream().write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
            other.getOutputStream().flush();
            List<String> commands = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.contains("\"ECHO\" \"" + marker + "\"") || line.contains("\"echo\" \"" + marker + "\"")) {
                    return commands;
                }
                if (!line.contains("[0 lua]")) {
                    commands.add(line);
                }
            }
            throw new IllegalStateException("MONITOR stream ended before the marker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
