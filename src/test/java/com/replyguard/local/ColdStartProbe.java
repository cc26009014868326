package com.replyguard.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.replyguard.lambda.ReplyGuardHandler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One cold start, measured: a fresh JVM builds the handler as Lambda does (default constructor,
 * configuration from the environment), then answers one SQS record. Run by docs/coldstart.sh,
 * which passes the time it launched the JVM ({@code -Dprobe.t0=<epoch ns>}).
 *
 * <p>Modes: {@code cold} — init, then the first invocation (Lambda without SnapStart);
 * {@code restored} — init, then what Lambda does around a SnapStart snapshot (the CRaC hooks:
 * priming, Redis closed, then reopened), then the first invocation, timed from the "restore";
 * {@code restored-unprimed} — the same without priming (Redis closed and reopened only).
 * It prints one line: {@code PROBE mode=… jvmToReplyMs=… initMs=… checkpointMs=… restoreToReplyMs=…
 * firstInvokeMs=… failures=…}; {@code restoreToReplyMs} is the restore hook plus the first
 * invocation: what a container resumed from a snapshot spends before its first reply, beyond the
 * platform's own restore.
 *
 * <p>Only the handler's public API is used (plus reflection for the hooks), so the same probe runs
 * against older trees of the project.
 */
public final class ColdStartProbe {

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "cold";
        long t0 = Long.parseLong(System.getProperty("probe.t0", "0"));
        long start = now();

        ReplyGuardHandler handler = new ReplyGuardHandler();
        long initialised = now();
        long checkpointed = initialised;
        if (mode.startsWith("restored")) {
            Class<?> hooks = Class.forName("com.replyguard.lambda.SnapStartHooks");
            hooks.getMethod("simulateCheckpoint", boolean.class).invoke(null, !mode.equals("restored-unprimed"));
            checkpointed = now();
            hooks.getMethod("simulateRestore").invoke(null);
        }
        long restored = now();

        SQSEvent event = event("probe-" + ProcessHandle.current().pid());
        SQSBatchResponse response = handler.handleRequest(event, null);
        long replied = now();

        System.out.printf("PROBE mode=%s jvmToReplyMs=%.1f initMs=%.1f checkpointMs=%.1f restoreToReplyMs=%.1f"
                        + " firstInvokeMs=%.1f failures=%d%n",
                mode, t0 == 0 ? -1 : (replied - t0) / 1e6, (initialised - start) / 1e6, (checkpointed - initialised) / 1e6,
                (replied - checkpointed) / 1e6, (replied - restored) / 1e6, response.getBatchItemFailures().size());
        System.out.flush();
        handler.close();
        System.exit(0);
    }

    /** One record, as the bridge sends it; ids unique per run so the guard lets each run reply. */
    private static SQSEvent event(String id) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(id);
        record.setReceiptHandle("handle-" + id);
        record.setBody("{\"matchId\":\"match-" + id + "\",\"messageId\":\"msg-" + id + "\","
                + "\"userMessage\":\"tu fais quoi ce week-end ?\",\"sentAt\":\"2026-11-29T14:27:10Z\","
                + "\"history\":[{\"role\":\"assistant\",\"text\":\"Salut !\"},{\"role\":\"user\",\"text\":\"hello\"}],"
                + "\"persona\":\"Léa, 27 ans, marketing à Lyon\"}");
        record.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        record.setEventSource("aws:sqs");
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        records.add(record);
        event.setRecords(records);
        return event;
    }

    /** Wall clock in epoch nanoseconds (microsecond resolution on Linux), comparable with {@code date +%s%N}. */
    private static long now() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
