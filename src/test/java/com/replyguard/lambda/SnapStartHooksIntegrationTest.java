package com.replyguard.lambda;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Deadline;
import com.replyguard.core.Job;
import com.replyguard.core.Outcome;
import com.replyguard.core.RecordResult;
import com.replyguard.testing.BedrockWire;
import com.replyguard.testing.Capture;
import com.replyguard.testing.ElasticMq;
import com.replyguard.testing.LocalAws;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SnapStart hooks, invoked as Lambda would around a snapshot, against a real Redis: priming
 * runs the guard's scripts and builds the AWS calls but writes no guard state and sends nothing;
 * the Redis connection is closed before the checkpoint and reopened after the restore, and the
 * guard works on the next messages.
 */
// Counts clients and checks the script cache on the one test server: run once, on the standalone Redis.
@org.junit.jupiter.api.Tag("own-servers")
class SnapStartHooksIntegrationTest {

    @RegisterExtension
    static WireMockExtension bedrock = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final Capture stdout = new Capture();
    private final List<Worker> workers = new ArrayList<>();

    @BeforeEach
    void cleanRedis() {
        RealRedis.flush();
    }

    @AfterEach
    void close() {
        workers.forEach(Worker::close);
    }

    private Worker worker(Map<String, String> env) {
        Worker worker = Worker.create(WorkerConfig.fromEnvironment(env), Clock.systemUTC(), stdout.stream());
        workers.add(worker);
        return worker;
    }

    private static Job job(String matchId, String messageId, String text) throws JobParser.InvalidJobException {
        return new JobParser(4_000).parse(Sqs.record("sqs-" + messageId, Sqs.job(matchId, messageId, text), 1));
    }

    private static long clients() {
        return RealRedis.inspect().clientList().lines().filter(l -> !l.isBlank()).count();
    }

    private static Set<String> keys() {
        return new TreeSet<>(RealRedis.inspect().keys("*"));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String sha1(String resource) throws Exception {
        try (InputStream in = SnapStartHooksIntegrationTest.class.getResourceAsStream("/com/replyguard/redis/" + resource)) {
            byte[] script = new String(in.readAllBytes(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script));
        }
    }

    @Test
    void shouldCloseRedisBeforeTheCheckpoint_primeWithoutWriting_andReconnectAfterTheRestore() throws Exception {
        long before = clients();
        Worker worker = worker(Containers.env());
        assertThat(process(worker, job("match-snap", "msg-1", "tu fais quoi ?")).outcome()).isEqualTo(Outcome.REPLIED);
        assertThat(clients()).isEqualTo(before + 1);
        Set<String> keysBefore = keys();
        RealRedis.inspect().scriptFlush();
        stdout.reset();

        worker.hooks.beforeCheckpoint(null);

        await(() -> clients() == before, "the worker's Redis connection to close");
        assertThat(keys()).as("priming leaves no guard state").isEqualTo(keysBefore);
        assertThat(keys()).noneMatch(k -> k.contains(SnapStartHooks.PRIMING_MATCH));
        assertThat(RealRedis.inspect().scriptExists(sha1("admit.lua"), sha1("release.lua")))
                .as("priming ran the admit and release scripts").containsExactly(true, true);
        assertThat(stdout.text()).as("priming delivers nothing").isEmpty();

        worker.hooks.afterRestore(null);

        assertThat(clients()).as("reconnected after the restore").isEqualTo(before + 1);
        assertThat(process(worker, job("match-snap", "msg-1", "tu fais quoi ?")).outcome())
                .isEqualTo(Outcome.SKIPPED_ALREADY_ANSWERED);
        assertThat(process(worker, job("match-snap-2", "msg-2", "et ce soir ?")).outcome())
                .isEqualTo(Outcome.REPLIED);
    }

    @Test
    void shouldReconnectOnFirstUse_whenNoRestoreHookRanAfterTheClose() throws Exception {
        Worker worker = worker(Containers.env());
        assertThat(process(worker, job("match-lazy", "msg-1", "salut")).outcome()).isEqualTo(Outcome.REPLIED);

        worker.hooks.disconnect();

        assertThat(process(worker, job("match-lazy", "msg-1", "salut")).outcome())
                .isEqualTo(Outcome.SKIPPED_ALREADY_ANSWERED);
    }

    @Test
    void shouldPrimeAndCheckpointQuickly_andFailOpenAfter_whenRedisIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Worker worker = worker(Containers.env("REDIS_URL", "redis://127.0.0.1:" + closedPort,
                "REDIS_CONNECT_TIMEOUT_MS", "200", "REDIS_TIMEOUT_MS", "200"));
        long start = System.nanoTime();

        List<String> primed = worker.hooks.prime();
        worker.hooks.beforeCheckpoint(null);
        boolean connected = worker.hooks.reconnect();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(primed).anyMatch(p -> p.startsWith("guard unavailable"));
        assertThat(connected).isFalse();
        assertThat(process(worker, job("match-down", "msg-1", "coucou")).outcome()).isEqualTo(Outcome.GUARD_BYPASSED);
    }

    @Test
    void shouldBuildTheBedrockAndSqsCalls_butSendNothing_whenPrimingTheDeployedAdapters() throws Exception {
        LocalAws.useDummyCredentials();
        String queueUrl = ElasticMq.createQueue("replies-" + UUID.randomUUID());
        Worker worker = worker(Containers.env(
                "GENERATOR", "bedrock", "BEDROCK_MODEL_ID", "anthropic.claude-3-haiku-20240307-v1:0",
                "REPLY_SINK", "sqs", "REPLY_QUEUE_URL", queueUrl,
                "AWS_REGION", LocalAws.REGION,
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", bedrock.baseUrl(),
                "AWS_ENDPOINT_URL_SQS", ElasticMq.endpoint().toString()));

        List<String> primed = worker.hooks.prime();

        assertThat(primed).containsExactly("parser", "similarity", "generator BedrockGenerator",
                "reply json", "record log and EMF metrics", "sink SqsSink", "guard Granted");
        assertThat(bedrock.findAll(anyRequestedFor(anyUrl()))).isEmpty();
        assertThat(ElasticMq.client().receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(1)).messages()).isEmpty();
        assertThat(keys()).isEmpty();

        bedrock.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("Salut toi !")));
        assertThat(process(worker, job("match-primed", "msg-1", "hello")).outcome()).isEqualTo(Outcome.REPLIED);
        assertThat(ElasticMq.client().receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(1)).messages()).hasSize(1);
    }

    @Test
    void shouldRegisterEveryWorker_forTheLocalCheckpointSimulation() throws IOException {
        worker(Containers.env());

        assertThat(SnapStartHooks.simulateCheckpoint(true)).isGreaterThanOrEqualTo(1);
        assertThat(SnapStartHooks.simulateRestore()).isGreaterThanOrEqualTo(1);
    }

    private static RecordResult process(Worker worker, Job job) {
        return worker.pipeline.process(List.of(job), Deadline.none()).getFirst();
    }
}
