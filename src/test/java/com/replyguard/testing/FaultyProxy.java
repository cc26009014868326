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
    private volatile String cutMarker;
    private volatile boolean cutNextAnswer;
    private final java.util.concurrent.atomic.AtomicInteger holdCountdown = new java.util.concurrent.atomic.AtomicInteger(-1);
    private final java.util.concurrent.CountDownLatch[] held = {new java.util.concurrent.CountDownLatch(1)};
    private volatile java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(0);
    private volatile boolean refuse;
    private final java.util.concurrent.Semaphore refused = new java.util.concurrent.Semaphore(0);

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
     * While set, a request that contains {@code marker} (a key name, a script argument) reaches
     * Redis and runs, and the connection is cut when its answer comes back, before the client reads
     * it: the client sees its connection drop with the command in flight (it may have run) and
     * reconnects. {@code null} turns it off.
     */
    public void cutOnAnswerTo(String marker) {
        cutMarker = marker;
        cutNextAnswer = false;
    }

    /**
     * Holds the {@code n}-th request from now (1 = the next) before Redis sees it, until
     * {@link #releaseHeld}: a client paused between two of its commands, as a stalled container is.
     */
    public void holdRequest(int n) {
        synchronized (held) {
            held[0] = new java.util.concurrent.CountDownLatch(1);
            release = new java.util.concurrent.CountDownLatch(1);
            holdCountdown.set(n);
        }
    }

    /** Waits until the request armed by {@link #holdRequest} is held. */
    public boolean awaitHeld(long millis) throws InterruptedException {
        return held[0].await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public void releaseHeld() {
        release.countDown();
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

    /**
     * While on, a new connection is closed as soon as it is accepted, before Redis sees it: Redis
     * restarting, or a failover under way, as a client that tries to connect sees it.
     */
    public void refuseConnections(boolean on) {
        refused.drainPermits();
        refuse = on;
    }

    /** Waits until {@code n} connections have been refused since {@link #refuseConnections} was turned on. */
    public boolean awaitRefused(int n, long millis) throws InterruptedException {
        return refused.tryAcquire(n, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (refuse) {
                    client.close();
                    refused.release();
                    continue;
                }
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
                if (answers && cutNextAnswer) {
                    cutNextAnswer = false;
                    cutConnections();
                    return;
                }
                if (!answers) {
                    String marker = cutMarker;
                    if (marker != null && new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8).contains(marker)) {
                        // requests and answers alternate on these connections: the next answer is this request's
                        cutNextAnswer = true;
                    }
                    if (holdCountdown.get() > 0 && holdCountdown.decrementAndGet() == 0) {
                        held[0].countDown();
                        try {
                            release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
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
