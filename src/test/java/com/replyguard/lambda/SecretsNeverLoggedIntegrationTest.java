package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.replyguard.config.WorkerConfig;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RedisProcess;
import com.replyguard.testing.Sqs;
import com.replyguard.testing.TlsFiles;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I9, privacy: the worker runs with a Redis password, an API key, a webhook signing secret and a
 * webhook URL carrying a token, on its success and failure paths (wrong password, Redis killed,
 * webhook errors, broken records); nothing it prints — its log, stdout, stderr, the libraries'
 * java.util.logging output — contains any of them, nor a message or reply text.
 */
@Tag("own-servers")
class SecretsNeverLoggedIntegrationTest {

    private static final String REDIS_PASSWORD = "leak-test-Redis-pw-9f3a";
    private static final String WRONG_PASSWORD = "leak-test-wrong-pw-77c1";
    private static final String API_KEY = "sk-leaktest-0123456789abcdef0123";
    private static final String WEBHOOK_SECRET = "leak-test-webhook-secret-0123456789abcdef";
    private static final String WEBHOOK_TOKEN = "leak-test-url-token-5e1d";
    private static final String MESSAGE_TEXT = "leak-test-message-text";
    private static final String REPLY_TEXT = "leak-test-reply-text";

    /** Everything printed while the block runs: System.out, System.err and java.util.logging, at the default level. */
    private static String everythingPrinted(ThrowingRunnable block) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        Handler jul = new Handler() {
            private final SimpleFormatter format = new SimpleFormatter();

            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    synchronized (printed) {
                        printed.writeBytes(format.format(record).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(jul);
        System.setOut(new PrintStream(tee(printed, originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(tee(printed, originalErr), true, StandardCharsets.UTF_8));
        try {
            block.run();
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            root.removeHandler(jul);
        }
        synchronized (printed) {
            return printed.toString(StandardCharsets.UTF_8);
        }
    }

    private static OutputStream tee(ByteArrayOutputStream copy, OutputStream original) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                try {
                    original.write(b);
                } catch (java.io.IOException e) {
                    // the copy is what matters
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (copy) {
                    copy.write(b, off, len);
                }
                try {
                    original.write(b, off, len);
                } catch (java.io.IOException e) {
                    // the copy is what matters
                }
            }
        };
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void shouldNeverPrintASecret_norAMessageOrReplyText(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.json"), "[{\"replies\": [\"" + REPLY_TEXT + " !\"]}]");
        AtomicInteger requests = new AtomicInteger();
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/replies", exchange -> {
            exchange.getRequestBody().readAllBytes();
            // the fourth request is refused: the FAILED path runs too
            exchange.sendResponseHeaders(requests.incrementAndGet() == 4 ? 500 : 200, -1);
            exchange.close();
        });
        webhook.start();
        Capture log = new Capture();
        Capture stdoutSink = new Capture();
        try (RedisProcess redis = RedisProcess.builder().password(REDIS_PASSWORD).tls(TlsFiles.shared()).start()) {
            String printed = everythingPrinted(() -> {
                Map<String, String> env = new HashMap<>();
                env.put("REDIS_URL", "rediss://default:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.clientPort());
                env.put("REDIS_TLS_CA_FILE", TlsFiles.shared().certificate().toString());
                env.put("OPENAI_API_KEY", API_KEY); // present in the environment, as a deployment would have it
                env.put("REPLY_SINK", "webhook");
                env.put("REPLY_WEBHOOK_URL", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/replies?token=" + WEBHOOK_TOKEN);
                env.put("REPLY_WEBHOOK_SECRET", WEBHOOK_SECRET);
                env.put("SCRIPTED_REPLIES", rules.toString());
                env.put("REDIS_BREAKER_COOLDOWN_MS", "60000");
                WorkerConfig config = WorkerConfig.fromEnvironment(env);
                System.out.println("config: " + config); // as the local run prints it

                try (ReplyGuardHandler worker = new ReplyGuardHandler(config, Clock.systemUTC(), log.stream(), stdoutSink.stream())) {
                    SQSBatchResponse ok = worker.handleRequest(Sqs.event(
                            Sqs.record("a1", Sqs.job("m-leak-1", "msg-1", "salut " + MESSAGE_TEXT), 1),
                            Sqs.record("a2", Sqs.job("m-leak-2", "msg-2", "tu fais quoi ? " + MESSAGE_TEXT), 1),
                            Sqs.record("a3", "{\"matchId\": 42, \"userMessage\": \"" + MESSAGE_TEXT + "\"}", 1),
                            Sqs.record("a4", "pas du json " + MESSAGE_TEXT, 1)), null);
                    assertThat(Sqs.failedIds(ok)).containsExactlyInAnyOrder("a3", "a4");
                    worker.handleRequest(Sqs.event(Sqs.record("a5", Sqs.job("m-leak-3", "msg-3", MESSAGE_TEXT), 1)), null);
                    worker.handleRequest(Sqs.event(Sqs.record("a6", Sqs.job("m-leak-4", "msg-4", MESSAGE_TEXT), 1)), null);

                    redis.kill(); // connection errors, reconnect attempts, the breaker opening
                    for (int i = 0; i < 5; i++) {
                        worker.handleRequest(Sqs.event(Sqs.record("k" + i, Sqs.job("m-kill-" + i, "msg-1", MESSAGE_TEXT), 1)), null);
                    }
                }
                redis.restart();
                env.put("REDIS_URL", "rediss://default:" + WRONG_PASSWORD + "@127.0.0.1:" + redis.clientPort());
                try (ReplyGuardHandler wrongPassword = new ReplyGuardHandler(WorkerConfig.fromEnvironment(env), Clock.systemUTC(),
                        log.stream(), stdoutSink.stream())) {
                    for (int i = 0; i < 4; i++) {
                        wrongPassword.handleRequest(Sqs.event(Sqs.record("w" + i, Sqs.job("m-wrong-" + i, "msg-1", MESSAGE_TEXT), 1)), null);
                    }
                }
            });
            String everything = printed + log.text() + stdoutSink.text();

            // the paths ran: otherwise "nothing leaked" would prove nothing
            assertThat(log.outcomes()).contains("REPLIED", "INVALID", "FAILED", "GUARD_BYPASSED");
            // the wrong password is reported as such (the server's WRONGPASS), without the password
            assertThat(log.text()).contains("WRONGPASS").contains("webhook answered HTTP 500");
            assertThat(printed).contains("REDIS_BREAKER_OPEN").contains("config: ");
            assertThat(requests.get()).isGreaterThanOrEqualTo(4);

            for (String secret : List.of(REDIS_PASSWORD, WRONG_PASSWORD, API_KEY, WEBHOOK_SECRET, WEBHOOK_TOKEN, MESSAGE_TEXT, REPLY_TEXT)) {
                assertThat(everything).as("printed output").doesNotContain(secret);
            }
            log.records().stream().filter(l -> l.get("sqsMessageId").asText().equals("w0")).forEach(l -> System.out.println("wrong password line: " + l.get("error").asText()));
            System.out.println("privacy: " + everything.lines().count() + " lines printed (log, stdout, stderr, JUL); "
                    + "no password, API key, webhook secret or token, message or reply text among them");
        } finally {
            webhook.stop(0);
        }
    }
}
