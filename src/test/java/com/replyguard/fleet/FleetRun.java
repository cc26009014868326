package com.replyguard.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.deploy.TemplateVariables;
import com.replyguard.fleet.FleetSettings.Mode;
import com.replyguard.testing.ElasticMq;
import com.replyguard.testing.RedisProcess;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One fleet run: a real Redis, a real SQS API (ElasticMQ) with the jobs queue and its dead-letter
 * queue, K containers each running the function under the Lambda Runtime Interface Client, the
 * traffic of {@link Traffic}, the faults of {@link FaultSchedule}, and the webhook the replies go to.
 * When the traffic is sent and the queue has drained, the {@link Checker} judges what the webhook saw.
 */
public final class FleetRun {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where each run's container logs go: {@code <build>-<seed>-<faults>/<container>.log}. */
    public static final Path LOGS = Path.of("target", "fleet", "logs");
    /** Records come back up to MAX_RECEIVE_COUNT times, a visibility timeout apart; then the DLQ takes them. */
    private static final long MAX_DRAIN_MS = (FleetSettings.MAX_RECEIVE_COUNT + 1L) * FleetSettings.VISIBILITY_TIMEOUT_SECONDS * 1_000;

    private FleetRun() {
    }

    /** @param taskRoot the deployable the containers run (a {@code sam build} layout) */
    public static FleetResult run(FleetSettings settings, Path taskRoot) {
        long begun = System.nanoTime();
        Traffic traffic = Traffic.draw(settings.seed(), settings.conversations(), settings.trafficSeconds());
        Timeline timeline = new Timeline();
        Path work;
        try {
            work = Files.createTempDirectory("fleet-");
            Files.writeString(work.resolve("rules.json"), traffic.rules());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a restart keeps what Redis acknowledged, as a failover to an in-sync replica does
        RedisProcess redis = RedisProcess.builder().setting("appendonly", "yes").setting("appendfsync", "always").start();
        SqsClient sqs = ElasticMq.client();
        String prefix = "fleet-" + settings.mode().label() + "-" + settings.seed() + "-" + UUID.randomUUID().toString().substring(0, 8);
        String dlqUrl = sqs.createQueue(r -> r.queueName(prefix + "-dlq")).queueUrl();
        String dlqArn = arn(sqs, dlqUrl);
        String jobsUrl = sqs.createQueue(r -> r.queueName(prefix + "-jobs").attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(FleetSettings.VISIBILITY_TIMEOUT_SECONDS),
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\""
                        + FleetSettings.MAX_RECEIVE_COUNT + "\"}"))).queueUrl();
        String jobsArn = arn(sqs, jobsUrl);
        FaultSchedule faults = FaultSchedule.draw(settings.seed(), settings.faults(), settings.trafficSeconds() * 1_000L + 3_000);
        List<FleetContainer> containers = new ArrayList<>();
        try (Receiver receiver = Receiver.start(timeline::now)) {
            for (int i = 0; i < settings.containers(); i++) {
                String name = "c" + i;
                containers.add(new FleetContainer(name, taskRoot, environment(settings, redis, receiver.url(name),
                        work.resolve("rules.json")), sqs, jobsUrl, jobsArn, settings, timeline));
            }
            each(containers, FleetContainer::start);
            receiver.policy(faults.deliveries(timeline), (container, why) -> containers.stream()
                    .filter(c -> c.name().equals(container)).findFirst().ifPresent(c -> c.kill("fault: " + why)));

            long setUpMs = (System.nanoTime() - begun) / 1_000_000;
            timeline.start();
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Thread sender = Thread.ofPlatform().name("fleet-traffic").start(() -> send(traffic, sqs, jobsUrl, timeline, sentAt));
            boolean[] stop = {false};
            Thread injector = Thread.ofPlatform().name("fleet-faults")
                    .start(() -> faults.run(containers, redis, timeline, () -> stop[0]));
            join(sender);
            join(injector);
            long drainStart = timeline.now();
            int quiet = 0;
            while (quiet < 3 && timeline.now() - drainStart < MAX_DRAIN_MS) {
                quiet = inQueue(sqs, jobsUrl) == 0 && containers.stream().noneMatch(FleetContainer::busy) ? quiet + 1 : 0;
                sleep(500);
            }
            stop[0] = true;
            int unsettled = inQueue(sqs, jobsUrl);
            each(containers, FleetContainer::close);
            List<Checker.LogLine> lines = new ArrayList<>();
            int invocations = 0;
            Path logs = LOGS.resolve(settings.mode().label() + "-" + settings.seed() + "-" + settings.faultsName());
            for (FleetContainer container : containers) {
                invocations += container.invocations();
                List<String> stdout = container.stdout();
                for (String line : stdout) {
                    Checker.LogLine.parse(container.name(), line, timeline).ifPresent(lines::add);
                }
                writeLog(logs.resolve(container.name() + ".log"), stdout);
            }
            return Checker.judge(settings, traffic, sentAt, receiver.seen(), deadLetters(sqs, dlqUrl), lines,
                    faults.injected(), timeline.events(), unsettled, invocations, setUpMs, timeline.now());
        } finally {
            containers.forEach(FleetContainer::close);
            redis.close();
        }
    }

    /** Each container's stdout (every generation of its process), kept for reading a run's events closer. */
    private static void writeLog(Path file, List<String> stdout) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, stdout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The function's environment: the template's, at the fleet's time scale, with this run's servers. */
    private static Map<String, String> environment(FleetSettings settings, RedisProcess redis, String webhook, Path rules) {
        Map<String, String> env = TemplateVariables.atDefaults();
        env.put("REDIS_URL", "redis://127.0.0.1:" + redis.port());
        env.put("REDIS_URL_SECRET_ARN", "");
        env.put("REDIS_CLUSTER", "false");
        env.put("GUARD_ENABLED", Boolean.toString(settings.mode() != Mode.GUARD_OFF));
        env.put("FUNCTION_TIMEOUT_SECONDS", Integer.toString(FleetSettings.FUNCTION_TIMEOUT_SECONDS));
        env.put("JOBS_VISIBILITY_TIMEOUT_SECONDS", Integer.toString(FleetSettings.VISIBILITY_TIMEOUT_SECONDS));
        env.put("JOBS_MAX_RECEIVE_COUNT", Integer.toString(FleetSettings.MAX_RECEIVE_COUNT));
        env.put("GUARD_TTL_SECONDS", Integer.toString(FleetSettings.GUARD_TTL_SECONDS));
        env.put("REDIS_RETRY_TIMEOUT_MS", Integer.toString(FleetSettings.REDIS_RETRY_TIMEOUT_MS));
        env.put("GENERATOR", "scripted");
        env.put("SCRIPTED_REPLIES", rules.toString());
        env.put("GENERATOR_DELAY_MS", Integer.toString(FleetSettings.GENERATOR_DELAY_MS));
        env.put("BEDROCK_MODEL_ID", "");
        env.put("REPLY_SINK", "webhook");
        env.put("REPLY_WEBHOOK_URL", webhook);
        env.put("REPLY_WEBHOOK_TIMEOUT_MS", Integer.toString(FleetSettings.WEBHOOK_TIMEOUT_MS));
        env.put("REPLY_QUEUE_URL", "");
        env.put("AWS_ENDPOINT_URL_SQS", ElasticMq.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", "AKIDLOCALFLEET");
        env.put("AWS_SECRET_ACCESS_KEY", "local-fleet-secret");
        return env;
    }

    private static void send(Traffic traffic, SqsClient sqs, String queue, Timeline timeline, Map<String, Long> sentAt) {
        for (Traffic.Send send : traffic.sends()) {
            long wait = send.atMs() - timeline.now();
            if (wait > 0) {
                sleep(wait);
            }
            sqs.sendMessage(r -> r.queueUrl(queue).messageBody(Traffic.body(send.message())));
            sentAt.putIfAbsent(send.message().messageId(), timeline.now());
        }
    }

    private static String arn(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private static int inQueue(SqsClient sqs, String url) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    private static List<Checker.DeadLetter> deadLetters(SqsClient sqs, String url) {
        List<Checker.DeadLetter> letters = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .visibilityTimeout(600).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (batch.isEmpty()) {
                return letters;
            }
            for (Message message : batch) {
                String messageId;
                try {
                    messageId = JSON.readTree(message.body()).path("messageId").asText();
                } catch (IOException e) {
                    messageId = "";
                }
                letters.add(new Checker.DeadLetter(message.messageId(), messageId));
            }
        }
    }

    /** Runs the action on every container at once, one thread each (a parallel stream runs one per core). */
    private static void each(List<FleetContainer> containers, Consumer<FleetContainer> action) {
        List<Thread> threads = containers.stream()
                .map(c -> Thread.ofPlatform().name("fleet-" + c.name()).start(() -> action.accept(c))).toList();
        threads.forEach(FleetRun::join);
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static JsonNode tree(String line) throws IOException {
        return JSON.readTree(line);
    }
}
