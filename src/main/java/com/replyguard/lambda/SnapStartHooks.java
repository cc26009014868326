package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.config.ObservabilitySettings;
import com.replyguard.core.Job;
import com.replyguard.core.Outcome;
import com.replyguard.core.RecordResult;
import com.replyguard.core.Primeable;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplyGenerator;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplySink;
import com.replyguard.logging.JsonLogLine;
import com.replyguard.redis.RedisReplyGuard;
import com.replyguard.similarity.TextSimilarity;
import com.replyguard.sink.ReplyJson;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Lambda SnapStart runtime hooks (CRaC). Lambda initialises the function once when a version is
 * published, calls {@link #beforeCheckpoint}, snapshots the JVM, and resumes every new container
 * from that snapshot, calling {@link #afterRestore}.
 *
 * <p><b>Before the checkpoint</b>: prime, then close Redis. Priming runs the hot paths once so
 * their classes are loaded and initialised in the snapshot — the JSON parser on a synthetic SQS
 * record, the guard's admit and release scripts, the similarity code, the generator's and sink's
 * request building, marshalling and signing, and the reply's JSON — with no effect outside:
 * <ul>
 *   <li>the guard runs {@code admit} then {@code release} on the reserved match
 *       {@value #PRIMING_MATCH}: the flag is taken and cleared at once, nothing is committed, no
 *       key is left (the scripts do land in Redis's script cache, as they would on first use);
 *       if Redis cannot be reached the failure path is primed instead;</li>
 *   <li>the Bedrock and SQS calls are real SDK calls stopped just before sending
 *       ({@link com.replyguard.aws.Priming}); the OpenAI request is only serialised;</li>
 *   <li>nothing is delivered and no record outcome is logged.</li>
 * </ul>
 * Then the Redis client is closed: a snapshot must not hold an open connection, which every
 * restored copy would share. Nothing unique is made here or at init: owner tokens are drawn per
 * attempt, inside {@code admit}.
 *
 * <p><b>After the restore</b>: reconnect to Redis (best effort; the guard connects lazily on first
 * use anyway, and fails open).
 */
public final class SnapStartHooks implements Resource {

    /** A match id no bridge sends: the guard keys it touches are {@code rg:{replyguard:priming}:*}. */
    static final String PRIMING_MATCH = "replyguard:priming";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<SnapStartHooks> REGISTERED = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private final JobParser parser;
    private final ReplyGuard guard;
    private final ReplyGenerator generator;
    private final ReplySink sink;
    private final PrintStream log;
    private final ObservabilitySettings observability;

    SnapStartHooks(JobParser parser, ReplyGuard guard, ReplyGenerator generator, ReplySink sink, PrintStream log,
                   ObservabilitySettings observability) {
        this.observability = observability;
        this.parser = parser;
        this.guard = guard;
        this.generator = generator;
        this.sink = sink;
        this.log = log;
    }

    void register() {
        Core.getGlobalContext().register(this);
        REGISTERED.add(this);
    }

    /** The worker is closed: its hooks must not reopen anything (the CRaC context forgets it with the worker). */
    void unregister() {
        REGISTERED.remove(this);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        checkpoint(true);
    }

    private void checkpoint(boolean withPriming) {
        long start = System.nanoTime();
        List<String> primed = withPriming ? prime() : List.of("priming skipped");
        disconnect();
        logLine("beforeCheckpoint", primed, start);
    }

    /**
     * Lambda without SnapStart: the same priming, in the init phase, so that the first invocation
     * does not pay for loading the parser, the Redis client's connection and script paths, the
     * similarity code and the adapters' request building. The connection it opens is kept.
     */
    void primeAtInit() {
        long start = System.nanoTime();
        logLine("init", prime(), start);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        long start = System.nanoTime();
        boolean connected = reconnect();
        logLine("afterRestore", List.of(connected ? "redis connected" : "redis not connected (will retry on use)"), start);
    }

    /** @return what was primed, for the log line */
    List<String> prime() {
        List<String> primed = new ArrayList<>();
        // the Redis connection (TCP, TLS, HELLO, script loads) opens while the rest is primed
        Thread connecting = Thread.ofVirtual().name("priming-connect").start(this::reconnect);
        Job sample;
        try {
            sample = parser.parse(sampleRecord());
            primed.add("parser");
        } catch (JobParser.InvalidJobException | RuntimeException e) {
            return primed; // cannot happen with the built-in sample; nothing else to prime without it
        }
        TextSimilarity.score(sample.userMessage(), "Tu fais quoi ce weekend ?? 😊");
        TextSimilarity.score("Haha, raconte-moi plus !", "haha raconte moi plus");
        primed.add("similarity");
        if (generator instanceof Primeable primeable) {
            primeable.prime(sample);
            primed.add("generator " + generator.getClass().getSimpleName());
        }
        ReplyJson.write(new Reply("priming", sample.matchId(), List.of(sample.messageId()), "Haha, raconte-moi plus !", Instant.EPOCH));
        primed.add("reply json");
        primeObservability(sample);
        primed.add("record log and EMF metrics");
        if (sink instanceof Primeable primeable) {
            primeable.prime(sample);
            primed.add("sink " + sink.getClass().getSimpleName());
        }
        try {
            connecting.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        primeGuard(sample, primed);
        return primed;
    }

    /** The per-record log line and the EMF record, written to a discarding stream. */
    private void primeObservability(Job sample) {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        RecordResult result = new RecordResult(Outcome.REPLIED, 0.5, null, 1, 1, 1, 24, List.of(sample.messageId()),
                1, 1, null, null, List.of("priming"), List.of());
        new RecordLog(discard, ObservabilitySettings.LogLevel.DEBUG, Clock.systemUTC()).processed(sample, result, "priming");
        InvocationMetrics metrics = new InvocationMetrics(observability, discard);
        metrics.record(result);
        metrics.flush();
    }

    private void primeGuard(Job sample, List<String> primed) {
        try {
            ReplyGuard.Attempt attempt = new ReplyGuard.Attempt(java.util.UUID.randomUUID().toString(), java.time.Duration.ofSeconds(10));
            ReplyGuard.Admission admission = guard.admit(attempt, sample, List.of(sample.messageId()));
            if (admission instanceof ReplyGuard.Admission.Granted) {
                guard.release(attempt, sample.matchId(), List.of(), List.of());
            }
            primed.add("guard " + admission.getClass().getSimpleName());
        } catch (RuntimeException e) {
            primed.add("guard unavailable (" + e.getClass().getSimpleName() + ")");
        }
    }

    void disconnect() {
        if (guard instanceof RedisReplyGuard redis) {
            redis.disconnect();
        }
    }

    boolean reconnect() {
        return guard instanceof RedisReplyGuard redis && redis.connect();
    }

    static SQSEvent.SQSMessage sampleRecord() {
        ObjectNode body = JSON.createObjectNode()
                .put("matchId", PRIMING_MATCH)
                .put("messageId", "priming")
                .put("userMessage", "Tu fais quoi ce week-end ?")
                .put("sentAt", "2026-01-01T00:00:00Z")
                .put("persona", "Léa, 27 ans, marketing à Lyon");
        body.putArray("history")
                .add(JSON.createObjectNode().put("role", "assistant").put("text", "Salut !"))
                .add(JSON.createObjectNode().put("role", "user").put("text", "hello"));
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId("priming");
        record.setBody(body.toString());
        record.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        return record;
    }

    private void logLine(String hook, List<String> done, long startNanos) {
        ObjectNode line = JsonLogLine.at(Instant.now(), "INFO")
                .put("message", "priming: " + hook)
                .put("event", hook.equals("init") ? "init.primed" : "snapstart." + hook)
                .put("ms", Math.round((System.nanoTime() - startNanos) / 1e4) / 100.0);
        done.forEach(line.putArray("done")::add);
        JsonLogLine.write(log, line);
    }

    /**
     * What Lambda does before a snapshot, for every worker of this JVM: for local measurements and
     * trials on a JVM without CRaC (where {@code org.crac} registers nothing). See docs/coldstart.sh.
     *
     * @param withPriming false to measure what priming brings: Redis is only closed
     * @return how many workers went through it
     */
    public static int simulateCheckpoint(boolean withPriming) {
        List<SnapStartHooks> hooks = registered();
        hooks.forEach(h -> h.checkpoint(withPriming));
        return hooks.size();
    }

    /** What Lambda does after restoring a snapshot, for every worker of this JVM (see {@link #simulateCheckpoint}). */
    public static int simulateRestore() {
        List<SnapStartHooks> hooks = registered();
        hooks.forEach(h -> h.afterRestore(null));
        return hooks.size();
    }

    private static List<SnapStartHooks> registered() {
        synchronized (REGISTERED) {
            return new ArrayList<>(REGISTERED);
        }
    }
}
