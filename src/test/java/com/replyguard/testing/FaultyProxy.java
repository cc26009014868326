package com.replyguard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a real Redis that can lose answers and cut connections: the network
 * faults a client must survive without replaying a write. Requests always reach Redis; while
 * {@link #swallowAnswers} is on, Redis' answers are read and dropped; {@link #cutConnections} closes
 * every open connection (the client sees its connection drop, then reconnects through the proxy).
 */
public final class FaultyProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean swallowAnswers;

    public FaultyProxy(int upstreamPort) {
        this.upstreamPort = upstreamPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("proxy-accept-" + port()).start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** While on, what Redis answers is dropped: requests run, their answers never arrive. */
    public void swallowAnswers(boolean on) {
        swallowAnswers = on;
    }

    /**
     * Closes every connection open through the proxy, as a server-side close or a node replacement
     * would: an orderly close (FIN), which the client sees as the channel going inactive with no
     * error (a reset would fail the oldest pending command with the I/O error instead).
     */
    public void cutConnections() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
        sockets.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofPlatform().daemon().start(() -> pump(client, upstream, false));
                Thread.ofPlatform().daemon().start(() -> pump(upstream, client, true));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean answers) {
        byte[] buffer = new byte[16_384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (answers && swallowAnswers) {
                    continue;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the connection was cut: close the other side too
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        cutConnections();
    }
}
