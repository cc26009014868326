package com.replyguard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP listener that accepts every connection and never answers, nor closes it: what a client sees
 * of a Redis behind a dropped security-group rule, a hung host or a half-open network path. The
 * TCP connect succeeds, then nothing: only the client's own timeouts end the wait.
 */
public final class BlackHole implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public BlackHole() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofPlatform().daemon().name("black-hole-" + server.getLocalPort()).start(() -> {
            while (!server.isClosed()) {
                try {
                    accepted.add(server.accept()); // hold it open, read nothing, write nothing
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.size();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        for (Socket socket : accepted) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing
            }
        }
        acceptor.interrupt();
    }
}
